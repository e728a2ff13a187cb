import type { App } from '@slack/bolt';
import type { FlowSummary } from '@gatehouse/contracts';
import { FIND_ACCESS_SHORTCUT } from '@gatehouse/config';
import type { Logger } from '@gatehouse/observability';
import type { DmChannels } from '../identity/dm-channels';
import { viaOf } from '../identity/slack-identity';
import { BLOCK_LIMITS } from './block-limits';
import { mrkdwn, plain } from './block-text';
import type { OfferedFlows } from './offered-flows';
import { parseTargetValue, requestModal } from './request-modal';
import type { SelectOption } from './target-options';

export const FIND_MODAL = 'gatehouse_find';
const FIND_BLOCK = 'find';
const FIND_ACTION = 'gatehouse_find_choice';

/** The "Find access" search: one type-ahead over everything the person may ask for. */
export function findModal(): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: FIND_MODAL,
    title: plain('Find access', BLOCK_LIMITS.modalTitleChars),
    submit: plain('Next'),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'input',
        block_id: FIND_BLOCK,
        label: plain('What do you need?'),
        element: { type: 'external_select', action_id: FIND_ACTION, placeholder: plain('Type a system, a role or a flow'), min_query_length: 1 },
      },
      { type: 'context', elements: [mrkdwn('Searches the names and descriptions of every flow and target you may request.')] },
    ],
  };
}

/**
 * Every target of the flows offered whose label or id, or whose flow's name or description,
 * holds each word typed (any case); targets matched by their own name first; at most 100.
 * The value is "flow/target".
 */
export function findOptions(flows: readonly FlowSummary[], typed: string): SelectOption[] {
  const words = typed.toLowerCase().split(/\s+/).filter(Boolean);
  const own: SelectOption[] = [];
  const byFlow: SelectOption[] = [];
  for (const flow of flows) {
    const flowText = `${flow.name} ${flow.description}`.toLowerCase();
    for (const target of flow.targets) {
      const targetText = `${target.label} ${target.id}`.toLowerCase();
      if (!words.every((word) => targetText.includes(word) || flowText.includes(word))) continue;
      const option: SelectOption = {
        text: plain(target.label, BLOCK_LIMITS.optionTextChars),
        value: `${flow.name}/${target.id}`,
        description: plain(flow.description ? `${flow.name}: ${flow.description}` : flow.name, BLOCK_LIMITS.optionTextChars),
      };
      (words.some((word) => targetText.includes(word)) ? own : byFlow).push(option);
    }
  }
  return [...own, ...byFlow].slice(0, BLOCK_LIMITS.options);
}

/**
 * "Find access" (global shortcut): the search modal; its type-ahead answers from the flows
 * offered to the person; "Next" turns it into the request modal with that flow and target
 * already chosen.
 */
export function registerFindAccess(app: App, offered: OfferedFlows, dms: DmChannels, logger: Logger): void {
  app.shortcut(FIND_ACCESS_SHORTCUT, async ({ shortcut, ack, client, context }) => {
    await ack();
    const flows = await offered.fresh(client, shortcut.user.id, viaOf(context));
    if (!flows.ok) return void (await dms.post(client, shortcut.user.id, 'why no flow is offered', { text: flows.message }));
    await client.views.open({ trigger_id: shortcut.trigger_id, view: findModal() as never });
  });

  app.options<'block_suggestion'>({ type: 'block_suggestion', block_id: FIND_BLOCK }, async ({ ack, body, client, context }) => {
    const flows = await offered.reused(client, body.user.id, viaOf(context));
    if (!flows.ok) logger.info({ user: body.user.id }, 'Find access type-ahead for someone with nothing offered; answered with no options');
    await ack({ options: flows.ok ? findOptions(flows.flows, body.value) : [] });
  });

  app.view(FIND_MODAL, async ({ ack, body, view, client, context }) => {
    const value = (view.state.values[FIND_BLOCK]?.[FIND_ACTION] as { selected_option?: { value?: string } } | undefined)?.selected_option?.value;
    const chosen = value ? parseTargetValue(value) : undefined;
    if (!chosen) return ack({ response_action: 'errors', errors: { [FIND_BLOCK]: 'Choose something from the list' } });
    const flows = await offered.reused(client, body.user.id, viaOf(context));
    if (!flows.ok) return ack({ response_action: 'errors', errors: { [FIND_BLOCK]: flows.message } });
    if (!flows.flows.some((f) => f.name === chosen.flow && f.targets.some((t) => t.id === chosen.target))) {
      return ack({ response_action: 'errors', errors: { [FIND_BLOCK]: 'That is no longer offered to you; search again' } });
    }
    await ack({ response_action: 'update', view: requestModal(flows.flows, chosen.flow, chosen.target) as never });
  });
}
