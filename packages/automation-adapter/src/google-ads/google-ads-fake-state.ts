import { type FakeGoogleError, googleErrorBody, partialFailure } from './google-ads-fake-errors.js';

/** A campaign of the fake account with its (unshared) budget; amounts in micros. */
export interface FakeGoogleCampaign {
  campaignId: string;
  status: 'ENABLED' | 'PAUSED' | 'REMOVED';
  budgetId: string;
  period: 'DAILY' | 'CUSTOM_PERIOD';
  /** `amount_micros` of a DAILY budget, or `total_amount_micros` of a CUSTOM_PERIOD one. */
  micros: number;
  adGroups?: Record<string, 'ENABLED' | 'PAUSED' | 'REMOVED'>;
}

/** An answer of the fake: HTTP status and JSON body; `applied` when it changed the account. */
export interface GoogleAnswer {
  status: number;
  body: unknown;
  applied: boolean;
}

/** Figures the fake enforces on budgets, in micros of the account currency. */
export interface FakeGoogleLimits {
  billableUnitMicros: number;
  minimumDailyMicros: number;
  maximumMicros: number;
  currency: string;
}

type Operation = { update?: Record<string, unknown>; updateMask?: string };

/**
 * The fake account: campaigns with their budgets and ad groups, and the logic of `googleAds:search` and of the
 * budget and status mutates (validation per operation, `partialFailure`, `validateOnly`).
 */
export class GoogleAdsFakeState {
  campaigns = new Map<string, FakeGoogleCampaign>();

  constructor(
    private readonly initial: readonly FakeGoogleCampaign[],
    private readonly customerId: string,
    readonly limits: FakeGoogleLimits,
  ) {
    this.reset();
  }

  reset(): void {
    this.campaigns = new Map(this.initial.map((c) => [c.campaignId, structuredClone(c)]));
  }

  /** `googleAds:search` for the two GAQL shapes the adapter sends (a campaign with its budget, an ad group). */
  search(query: string): GoogleAnswer {
    const campaign = /FROM campaign WHERE campaign\.id = (\d+)/.exec(query);
    const adGroup = /FROM ad_group WHERE ad_group\.id = (\d+)/.exec(query);
    const results: unknown[] = [];
    if (campaign) {
      const c = this.campaigns.get(campaign[1] ?? '');
      if (c) results.push(this.#campaignRow(c));
    } else if (adGroup) {
      for (const c of this.campaigns.values()) {
        const status = c.adGroups?.[adGroup[1] ?? ''];
        if (status) {
          const resourceName = `customers/${this.customerId}/adGroups/${adGroup[1]}`;
          results.push({ adGroup: { resourceName, id: adGroup[1], status } });
        }
      }
    }
    return {
      status: 200,
      body: { results, fieldMask: 'id,status', requestId: 'fake' },
      applied: false,
    };
  }

  #campaignRow(c: FakeGoogleCampaign) {
    const budgetResourceName = `customers/${this.customerId}/campaignBudgets/${c.budgetId}`;
    const amount = String(c.micros);
    return {
      customer: {
        resourceName: `customers/${this.customerId}`,
        currencyCode: this.limits.currency,
      },
      campaign: {
        resourceName: `customers/${this.customerId}/campaigns/${c.campaignId}`,
        id: c.campaignId,
        status: c.status,
      },
      campaignBudget: {
        resourceName: budgetResourceName,
        period: c.period,
        explicitlyShared: false,
        ...(c.period === 'DAILY' ? { amountMicros: amount } : { totalAmountMicros: amount }),
      },
    };
  }

  #budgetError(op: Operation, index: number): FakeGoogleError | undefined {
    const update = op.update ?? {};
    const name = String(update.resourceName ?? '');
    const id = /campaignBudgets\/(\d+)$/.exec(name)?.[1];
    const campaign = [...this.campaigns.values()].find((c) => c.budgetId === id);
    const location = { fieldPathElements: [{ fieldName: 'operations', index }] };
    if (!campaign)
      return {
        errorCode: { mutateError: 'RESOURCE_NOT_FOUND' },
        message: 'Resource was not found.',
        location,
      };
    const field = campaign.period === 'DAILY' ? 'amountMicros' : 'totalAmountMicros';
    const raw = update[field];
    if (
      typeof raw !== 'string' ||
      !/^\d+$/.test(raw) ||
      op.updateMask !== (campaign.period === 'DAILY' ? 'amount_micros' : 'total_amount_micros')
    ) {
      return {
        errorCode: { fieldMaskError: 'FIELD_NOT_FOUND' },
        message: `Set ${field} with its update mask.`,
        location,
      };
    }
    const micros = Number(raw);
    const { billableUnitMicros, minimumDailyMicros, maximumMicros, currency } = this.limits;
    if (micros % billableUnitMicros !== 0) {
      return {
        errorCode: { campaignBudgetError: 'NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT' },
        message: 'The budget amount is not a multiple of the minimum currency unit.',
        location,
      };
    }
    if (micros > maximumMicros) {
      return {
        errorCode: { campaignBudgetError: 'MONEY_AMOUNT_TOO_LARGE' },
        message: 'The budget amount is too large.',
        location,
      };
    }
    if (campaign.period === 'DAILY' && micros < minimumDailyMicros) {
      return {
        errorCode: { campaignBudgetError: 'BUDGET_BELOW_PER_DAY_MINIMUM' },
        message: 'The budget is below the per-day minimum.',
        location,
        details: {
          budgetPerDayMinimumErrorDetails: {
            currencyCode: currency,
            budgetPerDayMinimumMicros: String(minimumDailyMicros),
            minimumBudgetAmountMicros: String(minimumDailyMicros),
            failedBudgetAmountMicros: raw,
          },
        },
      };
    }
    return undefined;
  }

  /** `campaignBudgets:mutate`: each operation validated; applied unless `validateOnly`. */
  mutateBudgets(body: unknown, requestId: string): GoogleAnswer {
    return this.#mutate(
      body,
      requestId,
      (op, index) => this.#budgetError(op, index),
      (op) => {
        const id = /campaignBudgets\/(\d+)$/.exec(String(op.update?.resourceName))?.[1];
        const campaign = [...this.campaigns.values()].find((c) => c.budgetId === id);
        if (!campaign) return '';
        campaign.micros = Number(op.update?.amountMicros ?? op.update?.totalAmountMicros);
        return String(op.update?.resourceName);
      },
    );
  }

  /** `campaigns:mutate` / `adGroups:mutate` with `updateMask: status`. */
  mutateStatuses(kind: 'campaigns' | 'adGroups', body: unknown, requestId: string): GoogleAnswer {
    const find = (op: Operation) => {
      const id = new RegExp(`/${kind}/(\\d+)$`).exec(String(op.update?.resourceName))?.[1] ?? '';
      if (kind === 'campaigns')
        return this.campaigns.get(id) ? { id, campaign: this.campaigns.get(id) } : undefined;
      const owner = [...this.campaigns.values()].find((c) => c.adGroups?.[id] !== undefined);
      return owner ? { id, campaign: owner } : undefined;
    };
    return this.#mutate(
      body,
      requestId,
      (op, index): FakeGoogleError | undefined => {
        const location = { fieldPathElements: [{ fieldName: 'operations', index }] };
        const status = op.update?.status;
        if (!find(op))
          return {
            errorCode: { mutateError: 'RESOURCE_NOT_FOUND' },
            message: 'Resource was not found.',
            location,
          };
        if (op.updateMask !== 'status' || (status !== 'ENABLED' && status !== 'PAUSED'))
          return {
            errorCode: { fieldError: 'INVALID_VALUE' },
            message: 'Status must be ENABLED or PAUSED.',
            location,
          };
        return undefined;
      },
      (op) => {
        const found = find(op);
        const status = op.update?.status as 'ENABLED' | 'PAUSED';
        if (found && kind === 'campaigns' && found.campaign) found.campaign.status = status;
        if (found && kind === 'adGroups' && found.campaign?.adGroups)
          found.campaign.adGroups[found.id] = status;
        return String(op.update?.resourceName);
      },
    );
  }

  #mutate(
    body: unknown,
    requestId: string,
    check: (op: Operation, index: number) => FakeGoogleError | undefined,
    apply: (op: Operation) => string,
  ): GoogleAnswer {
    const request = (body ?? {}) as {
      operations?: Operation[];
      partialFailure?: boolean;
      validateOnly?: boolean;
    };
    const operations = request.operations ?? [];
    if (operations.length === 0) {
      const error = { errorCode: { mutateError: 'NO_OPERATIONS' }, message: 'No operations.' };
      return {
        status: 400,
        body: googleErrorBody(
          400,
          'INVALID_ARGUMENT',
          'Request contains an invalid argument.',
          [error],
          requestId,
        ),
        applied: false,
      };
    }
    const errors = operations.map((op, index) => check(op, index));
    const failed = errors.filter((e): e is FakeGoogleError => e !== undefined);
    if (failed.length > 0 && !request.partialFailure) {
      return {
        status: 400,
        body: googleErrorBody(
          400,
          'INVALID_ARGUMENT',
          'Request contains an invalid argument.',
          failed,
          requestId,
        ),
        applied: false,
      };
    }
    if (request.validateOnly) {
      // Only errors are returned, not results; with partialFailure they come back in partialFailureError.
      return {
        status: 200,
        body: failed.length > 0 ? { partialFailureError: partialFailure(failed, requestId) } : {},
        applied: false,
      };
    }
    const results = operations.map((op, index) =>
      errors[index] ? {} : { resourceName: apply(op) },
    );
    const applied = failed.length < operations.length;
    return {
      status: 200,
      body: {
        results,
        ...(failed.length > 0 ? { partialFailureError: partialFailure(failed, requestId) } : {}),
      },
      applied,
    };
  }
}
