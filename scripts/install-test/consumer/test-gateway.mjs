// The gateway the consumer programs of the install test hand plans to, from the installed @handoff/gateway only:
// an in-memory database, HTTP on a free port of 127.0.0.1, one copilot API key, a policy that asks for no
// approval, a roomy cap in the plan's currency, and signed plans required (the copilot's public JWK inline).
import {
  createGatewayRuntime,
  generateApiKey,
  hashApiKey,
  startGateway,
  validateConfig,
} from '@handoff/gateway';

/**
 * Starts the gateway for `plan`'s tenant and currency, trusting `publicJwk` for plan signatures.
 * @returns `{ running, apiKey }`: the running gateway (`running.server.url`, `running.stop()`) and the copilot's key.
 */
export async function startTestGateway(plan, publicJwk) {
  const apiKey = generateApiKey();
  const currency = plan.options[0].budget.amount.currency;
  const loaded = validateConfig(
    {
      gatewayId: 'gw-install-test',
      database: { path: ':memory:' },
      listen: { host: '127.0.0.1', port: 0 },
      approvals: { approvers: [] },
      auth: {
        apiKeys: [
          {
            id: 'copilot-1',
            tenantId: plan.tenantId,
            roles: ['copilot'],
            keyHash: hashApiKey(apiKey),
          },
        ],
      },
      policy: {
        inline: {
          id: 'install-test',
          version: '1',
          rules: [
            {
              id: 'channels',
              type: 'channel_allowlist',
              enforcement: 'hard_mandatory',
              channels: ['email', 'sms', 'push'],
            },
          ],
        },
      },
      caps: [
        {
          capId: 'tenant-month',
          tenantId: plan.tenantId,
          scope: { type: 'tenant', value: plan.tenantId },
          period: 'month',
          limit: { amountMinor: 100_000_000, currency },
        },
      ],
      provenance: {
        copilotKeys: [{ type: 'inline', jwks: { keys: [publicJwk] } }],
        required: true,
      },
    },
    process.cwd(),
  );
  return { running: await startGateway(await createGatewayRuntime(loaded)), apiKey };
}
