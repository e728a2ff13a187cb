{{/* The release's base name. */}}
{{- define "gatehouse.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The services: values key → service (and image) name. */}}
{{- define "gatehouse.components" -}}
gateway: gateway
approval: approval
auditReporting: audit-reporting
provisioningOkta: provisioning-okta
slackBot: slack-bot
{{- end -}}

{{- define "gatehouse.labels" -}}
app.kubernetes.io/name: {{ default .Chart.Name .Values.nameOverride }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one service: (dict "root" $ "component" "gateway"). */}}
{{- define "gatehouse.selector" -}}
app.kubernetes.io/name: {{ default .root.Chart.Name .root.Values.nameOverride }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "gatehouse.image" -}}
{{- $tag := default .root.Chart.AppVersion .root.Values.image.tag -}}
{{- if .root.Values.image.registry -}}
{{- printf "%s/%s/%s:%s" .root.Values.image.registry .root.Values.image.repository .component $tag -}}
{{- else -}}
{{- printf "%s/%s:%s" .root.Values.image.repository .component $tag -}}
{{- end -}}
{{- end -}}

{{/* The chart's own Secret: made only when some credential is given inline. */}}
{{- define "gatehouse.secretName" -}}
{{- printf "%s-credentials" (include "gatehouse.fullname" .) -}}
{{- end -}}

{{/*
  A secretKeyRef for one credential: (dict "root" $ "existing" <existingSecret> "inline" <value> "key" <key>).
  From the existing Secret when one is named, else from the chart's Secret when the value is given inline; empty otherwise.
*/}}
{{- define "gatehouse.secretRef" -}}
{{- if .existing -}}
secretKeyRef: { name: {{ .existing | quote }}, key: {{ .key | quote }} }
{{- else if .inline -}}
secretKeyRef: { name: {{ include "gatehouse.secretName" .root | quote }}, key: {{ .key | quote }} }
{{- end -}}
{{- end -}}

{{/* Inline credentials the chart's Secret holds: key → value. */}}
{{- define "gatehouse.inlineSecrets" -}}
{{- $v := .Values -}}
{{- $out := dict -}}
{{- if and $v.database.url (not $v.database.existingSecret) }}{{ $_ := set $out $v.database.urlKey $v.database.url }}{{ end -}}
{{- if not $v.kafka.sasl.existingSecret -}}
{{- if $v.kafka.sasl.username }}{{ $_ := set $out $v.kafka.sasl.usernameKey $v.kafka.sasl.username }}{{ end -}}
{{- if $v.kafka.sasl.password }}{{ $_ := set $out $v.kafka.sasl.passwordKey $v.kafka.sasl.password }}{{ end -}}
{{- end -}}
{{- if not $v.slack.existingSecret -}}
{{- if $v.slack.signingSecret }}{{ $_ := set $out $v.slack.signingSecretKey $v.slack.signingSecret }}{{ end -}}
{{- if $v.slack.botToken }}{{ $_ := set $out $v.slack.botTokenKey $v.slack.botToken }}{{ end -}}
{{- if $v.slack.appToken }}{{ $_ := set $out $v.slack.appTokenKey $v.slack.appToken }}{{ end -}}
{{- end -}}
{{- if not $v.okta.existingSecret -}}
{{- if $v.okta.privateKey }}{{ $_ := set $out $v.okta.privateKeyKey $v.okta.privateKey }}{{ end -}}
{{- if $v.okta.apiToken }}{{ $_ := set $out $v.okta.apiTokenKey $v.okta.apiToken }}{{ end -}}
{{- end -}}
{{- if and $v.okta.oidc.clientSecret (not $v.okta.oidc.existingSecret) }}{{ $_ := set $out $v.okta.oidc.clientSecretKey $v.okta.oidc.clientSecret }}{{ end -}}
{{- if and $v.audit.signingKey (not $v.audit.existingSecret) }}{{ $_ := set $out $v.audit.signingKeyKey $v.audit.signingKey }}{{ end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* Environment every service gets. */}}
{{- define "gatehouse.commonEnv" -}}
- { name: NODE_ENV, value: production }
- { name: HOST, value: 0.0.0.0 }
- { name: PORT, value: "3000" }
- { name: LOG_FORMAT, value: json }
- { name: LOG_LEVEL, value: {{ .Values.logLevel | quote }} }
- { name: KAFKA_BROKERS, value: {{ .Values.kafka.brokers | quote }} }
- { name: KAFKA_TOPIC_PREFIX, value: {{ .Values.kafka.topicPrefix | quote }} }
- name: DATABASE_URL
  valueFrom:
    {{- include "gatehouse.secretRef" (dict "root" . "existing" .Values.database.existingSecret "inline" .Values.database.url "key" .Values.database.urlKey) | nindent 4 }}
- { name: DATABASE_PREPARED_STATEMENTS, value: {{ ternary "true" "false" (ne .Values.database.preparedStatements false) | quote }} }
{{- if .Values.kafka.tls.enabled }}
- { name: KAFKA_SSL, value: "true" }
{{- if .Values.kafka.tls.caSecret }}
- { name: KAFKA_SSL_CA_FILE, value: /etc/gatehouse/kafka-ca/{{ .Values.kafka.tls.caKey }} }
{{- end }}
{{- end }}
{{- if .Values.kafka.sasl.mechanism }}
- { name: KAFKA_SASL_MECHANISM, value: {{ .Values.kafka.sasl.mechanism | quote }} }
- name: KAFKA_SASL_USERNAME
  valueFrom:
    {{- include "gatehouse.secretRef" (dict "root" . "existing" .Values.kafka.sasl.existingSecret "inline" .Values.kafka.sasl.username "key" .Values.kafka.sasl.usernameKey) | nindent 4 }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    {{- include "gatehouse.secretRef" (dict "root" . "existing" .Values.kafka.sasl.existingSecret "inline" .Values.kafka.sasl.password "key" .Values.kafka.sasl.passwordKey) | nindent 4 }}
{{- end }}
{{- end -}}

{{/* What only one service needs: (dict "root" $ "component" "gateway"). */}}
{{- define "gatehouse.componentEnv" -}}
{{- $v := .root.Values -}}
{{- if eq .component "gateway" }}
{{- if $v.publicUrl }}
- { name: GATEHOUSE_PUBLIC_URL, value: {{ $v.publicUrl | quote }} }
{{- end }}
{{- if or $v.slack.existingSecret $v.slack.signingSecret }}
- name: SLACK_SIGNING_SECRET
  valueFrom:
    {{- include "gatehouse.secretRef" (dict "root" .root "existing" $v.slack.existingSecret "inline" $v.slack.signingSecret "key" $v.slack.signingSecretKey) | nindent 4 }}
{{- end }}
{{- if $v.okta.oidc.issuer }}
- { name: OKTA_OIDC_ISSUER, value: {{ $v.okta.oidc.issuer | quote }} }
- { name: OKTA_OIDC_CLIENT_ID, value: {{ $v.okta.oidc.clientId | quote }} }
- name: OKTA_OIDC_CLIENT_SECRET
  valueFrom:
    {{- include "gatehouse.secretRef" (dict "root" .root "existing" $v.okta.oidc.existingSecret "inline" $v.okta.oidc.clientSecret "key" $v.okta.oidc.clientSecretKey) | nindent 4 }}
{{- end }}
{{- end }}
{{- if or (eq .component "approval") (eq .component "slack-bot") (eq .component "provisioning-okta") }}
- { name: GATEHOUSE_FLOWS, value: /etc/gatehouse/flows/flows.yaml }
{{- end }}
{{- if eq .component "slack-bot" }}
{{- if $v.publicUrl }}
- { name: GATEHOUSE_PUBLIC_URL, value: {{ $v.publicUrl | quote }} }
{{- end }}
{{- if or $v.slack.existingSecret $v.slack.botToken }}
- name: SLACK_BOT_TOKEN
  valueFrom:
    {{- include "gatehouse.secretRef" (dict "root" .root "existing" $v.slack.existingSecret "inline" $v.slack.botToken "key" $v.slack.botTokenKey) | nindent 4 }}
{{- end }}
{{- if eq $v.slack.mode "socket" }}
- name: SLACK_APP_TOKEN
  valueFrom:
    {{- include "gatehouse.secretRef" (dict "root" .root "existing" $v.slack.existingSecret "inline" $v.slack.appToken "key" $v.slack.appTokenKey) | nindent 4 }}
{{- end }}
{{- end }}
{{- if eq .component "provisioning-okta" }}
- { name: OKTA_ORG_URL, value: {{ $v.okta.orgUrl | quote }} }
- { name: OKTA_SCOPES, value: {{ $v.okta.scopes | quote }} }
{{- if $v.okta.clientId }}
- { name: OKTA_CLIENT_ID, value: {{ $v.okta.clientId | quote }} }
{{- if $v.okta.privateKeyId }}
- { name: OKTA_PRIVATE_KEY_ID, value: {{ $v.okta.privateKeyId | quote }} }
{{- end }}
- name: OKTA_PRIVATE_KEY
  valueFrom:
    {{- include "gatehouse.secretRef" (dict "root" .root "existing" $v.okta.existingSecret "inline" $v.okta.privateKey "key" $v.okta.privateKeyKey) | nindent 4 }}
{{- else }}
- name: OKTA_API_TOKEN
  valueFrom:
    {{- include "gatehouse.secretRef" (dict "root" .root "existing" $v.okta.existingSecret "inline" $v.okta.apiToken "key" $v.okta.apiTokenKey) | nindent 4 }}
{{- end }}
{{- end }}
{{- if eq .component "audit-reporting" }}
{{- if or $v.audit.existingSecret $v.audit.signingKey }}
- name: AUDIT_SIGNING_KEY
  valueFrom:
    {{- include "gatehouse.secretRef" (dict "root" .root "existing" $v.audit.existingSecret "inline" $v.audit.signingKey "key" $v.audit.signingKeyKey) | nindent 4 }}
{{- end }}
{{- if $v.audit.destinations }}
- { name: GATEHOUSE_AUDIT_DESTINATIONS, value: /etc/gatehouse/audit/destinations.yaml }
{{- end }}
{{- range $name, $key := $v.audit.destinationSecrets.env }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef: { name: {{ $v.audit.destinationSecrets.existingSecret | quote }}, key: {{ $key | quote }} }
{{- end }}
{{- end }}
{{- end -}}

{{/* One service's migrations, as a container of the migrations Job. */}}
{{- define "gatehouse.migrationContainer" -}}
- name: migrate-{{ .component }}
  image: {{ include "gatehouse.image" . }}
  imagePullPolicy: {{ .root.Values.image.pullPolicy }}
  command: ["node", "migrate.js"]
  env:
    - { name: NODE_ENV, value: production }
    - name: DATABASE_URL
      valueFrom:
        {{- if .root.Values.database.existingSecret }}
        secretKeyRef: { name: {{ .root.Values.database.existingSecret | quote }}, key: {{ .root.Values.database.urlKey | quote }} }
        {{- else }}
        secretKeyRef: { name: {{ printf "%s-migrations" (include "gatehouse.fullname" .root) | quote }}, key: {{ .root.Values.database.urlKey | quote }} }
        {{- end }}
  resources:
    {{- toYaml .root.Values.migrations.resources | nindent 4 }}
  securityContext:
    {{- toYaml .root.Values.containerSecurityContext | nindent 4 }}
  volumeMounts:
    - { name: tmp, mountPath: /tmp }
{{- end -}}
