import type { Transporter } from 'nodemailer';
import type { Config } from '../../config.js';
import type { Logger } from '../logger.js';

export type Mail = { to: string; subject: string; text: string };

export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/** SMTP when configured; otherwise the message is logged (so invites still work locally). */
export function createMailer(config: Config, log: Logger): Mailer {
  const smtp = config.smtp;
  if (!smtp) {
    return {
      async send(mail) {
        log.info({ mail }, 'email (SMTP not configured, logged instead)');
      },
    };
  }
  // nodemailer (73 modules) is loaded with the first message, not at every start.
  let transport: Promise<Transporter> | undefined;
  const open = async () => {
    const { default: nodemailer } = await import('nodemailer');
    return nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      auth: smtp.user ? { user: smtp.user, pass: smtp.password } : undefined,
    });
  };
  return {
    async send(mail) {
      transport ??= open();
      await (await transport).sendMail({ from: smtp.from, ...mail });
    },
  };
}
