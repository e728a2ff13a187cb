import { z } from 'zod';
import { commonConfig, commonEnv, databaseConfig, databaseEnv, kafkaSecurityRules } from './env-fragments';
import { ConfigError, loadConfig } from './load-config';

describe('loadConfig', () => {
  const schema = (env: NodeJS.ProcessEnv) => z.object({ ...commonEnv(3000, env), ...databaseEnv(env) });

  it('applies local defaults outside production', () => {
    const env = {};
    const config = loadConfig(schema(env), env);
    expect(config.PORT).toBe(3000);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/gatehouse');
  });

  it('splits a broker list and coerces the port', () => {
    const env = { PORT: '8080', KAFKA_BROKERS: 'a:9092, b:9093' };
    const config = loadConfig(schema(env), env);
    expect(config.PORT).toBe(8080);
    expect(config.KAFKA_BROKERS).toEqual(['a:9092', 'b:9093']);
  });

  it('prepares repeated statements unless told not to, and refuses anything but true or false', () => {
    const database = (env: NodeJS.ProcessEnv) => databaseConfig(loadConfig(schema(env), env));
    expect(database({})).toEqual({ url: 'postgres://postgres@127.0.0.1:5432/gatehouse', preparedStatements: true });
    expect(database({ DATABASE_PREPARED_STATEMENTS: 'false' }).preparedStatements).toBe(false);
    expect(() => database({ DATABASE_PREPARED_STATEMENTS: 'off' })).toThrow(/DATABASE_PREPARED_STATEMENTS: .*"true"\|"false"/);
  });

  describe('Kafka TLS and SASL', () => {
    const secured = (env: NodeJS.ProcessEnv) => z.object({ ...commonEnv(3000, env) }).superRefine(kafkaSecurityRules).transform(commonConfig);

    it('has none by default', () => {
      expect(loadConfig(secured({}), {}).kafka.security).toBeUndefined();
    });

    it('takes TLS with a CA bundle, and SASL with its mechanism, username and password', () => {
      const env = { KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'gatehouse', KAFKA_SASL_PASSWORD: 's3cret' };
      expect(loadConfig(secured(env), env).kafka.security).toEqual({ tls: { caFile: '/etc/kafka/ca.pem' }, sasl: { mechanism: 'scram-sha-512', username: 'gatehouse', password: 's3cret' } });
      expect(loadConfig(secured({ KAFKA_SSL: 'true' }), { KAFKA_SSL: 'true' }).kafka.security).toEqual({ tls: { caFile: undefined } });
    });

    it('names what a half-configured SASL lacks', () => {
      expect(() => loadConfig(secured({ KAFKA_SASL_MECHANISM: 'plain' }), { KAFKA_SASL_MECHANISM: 'plain' })).toThrow(/KAFKA_SASL_USERNAME: is required with KAFKA_SASL_MECHANISM=plain/);
      expect(() => loadConfig(secured({ KAFKA_SASL_USERNAME: 'x', KAFKA_SASL_PASSWORD: 'y' }), { KAFKA_SASL_USERNAME: 'x', KAFKA_SASL_PASSWORD: 'y' })).toThrow(/KAFKA_SASL_MECHANISM: is required/);
      expect(() => loadConfig(secured({ KAFKA_SASL_MECHANISM: 'gssapi' }), { KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/KAFKA_SASL_MECHANISM/);
    });
  });

  it('names every missing variable in production', () => {
    const env = { NODE_ENV: 'production' };
    const attempt = () => loadConfig(schema(env), env);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/KAFKA_BROKERS: is required but missing/);
    expect(attempt).toThrow(/DATABASE_URL: is required but missing/);
  });

  it('names an invalid variable and says what is wrong', () => {
    const env = { PORT: 'eighty', DATABASE_URL: 'mysql://x', KAFKA_BROKERS: 'nohost' };
    let error: ConfigError | undefined;
    try {
      loadConfig(schema(env), env);
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error?.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT: /),
        expect.stringMatching(/^DATABASE_URL: must be a postgres:\/\/ URL/),
        expect.stringMatching(/^KAFKA_BROKERS\.0: each broker must be host:port/),
      ]),
    );
  });
});
