// The self-service addresses under a pool's issuer, handed over by the sign-in app (app.ts) before
// its own routes: /interaction/<uid>/{signup,forgot} (GET shows, POST submits), /interaction/<uid>/
// {otp,verify,resend} (POST), and /reset-password (the hosted reset page of the mail's link). A
// request whose interaction is gone, or whose form fails its CSRF check, gets the sign-in pages'
// "expired" page, as the sign-in form does.
import { errorPage } from "../pages/forms.js";
import { pickStrings } from "../pages/i18n.js";
import type { SignInDeps } from "../provider.js";
import type { PoolProvider } from "../providers.js";
import type { SignInContext as Ctx } from "../request-info.js";
import { FORM_LIMIT_BYTES, send } from "./context.js";
import { otpHandlers } from "./otp.js";
import { recoveryHandlers } from "./recovery.js";
import { signUpHandlers } from "./sign-up.js";
import { verifyHandlers } from "./verify.js";

const INTERACTION = /^\/interaction\/([A-Za-z0-9_-]{1,64})\/(signup|forgot|otp|verify|resend)$/;

export function selfServiceRoutes(deps: SignInDeps) {
  const signUp = signUpHandlers(deps);
  const verify = verifyHandlers(deps);
  const otp = otpHandlers(deps);
  const recovery = recoveryHandlers(deps);

  const refuse = (c: Ctx, pp: PoolProvider, status: number) => {
    const t = pickStrings(c.req.header("accept-language"));
    return send(c, errorPage(t, pp.snapshot.brand, status === 400 ? t.errorExpired : t.errorGeneric, status));
  };

  /** The answer of a self-service address, or undefined when `rest` is none of them. */
  return async function route(c: Ctx, pp: PoolProvider, rest: string): Promise<Response | undefined> {
    const method = c.req.method;
    if (rest === "/reset-password") {
      c.set("endpoint", "reset_password");
      if (method === "GET") return recovery.showReset(c, pp);
      if (method === "POST" && !(Number(c.req.header("content-length") ?? Number.NaN) <= FORM_LIMIT_BYTES)) return refuse(c, pp, 413);
      if (method === "POST") return recovery.completeReset(c, pp);
      return refuse(c, pp, 405);
    }
    const m = INTERACTION.exec(rest);
    if (!m) return undefined;
    const uid = m[1]!;
    const page = m[2]!;
    const get = method === "GET";
    if (!get && method !== "POST") return refuse(c, pp, 405);
    // As the sign-in form (app.ts): a body of unknown or more than a form's length is refused unread.
    if (!get && !(Number(c.req.header("content-length") ?? Number.NaN) <= FORM_LIMIT_BYTES)) {
      c.header("Connection", "close");
      return refuse(c, pp, 413);
    }
    let answer: Response | undefined;
    if (page === "signup") answer = get ? await signUp.show(c, pp, uid) : await signUp.submit(c, pp, uid);
    else if (page === "forgot") answer = get ? await recovery.show(c, pp, uid) : await recovery.submit(c, pp, uid);
    else if (get) return refuse(c, pp, 405);
    else if (page === "otp") answer = await otp.request(c, pp, uid);
    else if (page === "verify") answer = await verify.verify(c, pp, uid);
    else answer = await verify.resend(c, pp, uid);
    return answer ?? refuse(c, pp, 400);
  };
}
