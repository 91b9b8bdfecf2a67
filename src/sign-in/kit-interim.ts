// TEMPORARY (issue 24): local stand-ins for the sign-in kit's modules, written against their agreed
// interfaces while branch `sign-in-kit` lands them:
//   src/sign-in/keys.ts.
// Every import of this file is replaced by the kit's module and the file deleted before the report.
import { exportJWK, generateKeyPair, type JWK } from "jose";

const keys = new Map<string, Promise<{ keys: JWK[] }>>();
export function poolSigningJwks(_deps: unknown, accountId: string, poolUid: string): Promise<{ keys: JWK[] }> {
  const k = `${accountId}/${poolUid}`;
  let p = keys.get(k);
  if (!p) {
    p = (async () => {
      const es = await generateKeyPair("ES256", { extractable: true });
      const rs = await generateKeyPair("RS256", { extractable: true });
      return { keys: [
        { ...(await exportJWK(es.privateKey)), alg: "ES256", use: "sig", kid: `es-${poolUid.slice(0, 8)}` },
        { ...(await exportJWK(rs.privateKey)), alg: "RS256", use: "sig", kid: `rs-${poolUid.slice(0, 8)}` },
      ] };
    })();
    keys.set(k, p);
  }
  return p;
}
