/** `SesAccountReader` over SES v2: `GetAccount` and `GetEmailIdentity`. */
import { GetAccountCommand, GetEmailIdentityCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { SesAccountReader, SesAccountView, SesIdentityView } from './ses-readiness.ts';

export class SesV2AccountReader implements SesAccountReader {
  readonly #client: SESv2Client;

  constructor(client: SESv2Client) {
    this.#client = client;
  }

  async getAccount(): Promise<SesAccountView> {
    const account = await this.#client.send(new GetAccountCommand({}));
    return {
      productionAccessEnabled: account.ProductionAccessEnabled === true,
      sendingEnabled: account.SendingEnabled === true,
      maxSendRate: account.SendQuota?.MaxSendRate ?? 0,
      max24HourSend: account.SendQuota?.Max24HourSend ?? 0,
      sentLast24Hours: account.SendQuota?.SentLast24Hours ?? 0,
    };
  }

  async getIdentity(identity: string): Promise<SesIdentityView | undefined> {
    try {
      const found = await this.#client.send(new GetEmailIdentityCommand({ EmailIdentity: identity }));
      return {
        identityType: found.IdentityType ?? 'DOMAIN',
        verifiedForSending: found.VerifiedForSendingStatus === true,
        ...(found.IdentityType === 'EMAIL_ADDRESS' && found.DkimAttributes?.Status === 'NOT_STARTED' ? {} : found.DkimAttributes?.Status ? { dkimStatus: found.DkimAttributes.Status } : {}),
      };
    } catch (error) {
      if ((error as { name?: string }).name === 'NotFoundException') return undefined;
      throw error;
    }
  }
}
