/**
 * The versions of the harness protocol (protocol.ts), apart from its zod schemas: the
 * extension's run handler needs only these numbers at activation, and importing them from
 * here keeps zod out of what activation loads.
 */

/** Every message carries it as `v`; a parent refuses a harness of another version. */
export const PROTOCOL_VERSION = 1;

/**
 * Version of the model-call pair (the `modelRequest` event, the `modelReply` request): a run
 * started in the editor with the editor's model asks the extension host for every model call
 * (the harness can't reach VS Code's Language Model API). Both sides put it in each message
 * and refuse another.
 */
export const HOST_MODEL_VERSION = 1;
