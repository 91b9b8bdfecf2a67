// The structured JSON logger (pino). Request lines carry RequestId, Action, status and duration;
// no line ever carries request parameters, bodies or secrets: the redact list is a second net.
import { pino, type Logger } from "pino";

export type { Logger };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "idplane" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ["*.secret", "*.secretAccessKey", "*.SecretAccessKey", "*.password", "*.Password", "*.token", "*.Token", "*.authorization", "*.ClientSecret"],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
