// Sign-up on the hosted pages (SelfSignUpEnabled): the form asks for the pool's identifiers and its
// RequiredSignUpAttributes, and a password under the pool's policy (shown, and enforced by
// CreateUser's own rules: the user is made by createUser, the one code path of the signed API's
// CreateUser, so quota, uniqueness, policy and attribute checks are the same).
//
// Then, with SignUpAutoVerificationEnabled, a code is mailed to the address and the person types it
// (verify.ts): the address is verified and the person signed in. Without it, the account is made with
// the address unverified and the person is sent on to sign in.
//
// An address (or phone number) that is already registered gets the very same answer as a new one: no
// account is made, a code row for no one is stored (so the code page behaves alike), and the owner of
// the address gets a mail saying someone tried. A taken user name is said to be taken: user names
// are chosen to be unique and shown to others, so there is nothing to hide about one.
import { ApiError } from "../../core/errors.js";
import { isPlainEmail } from "../../core/email.js";
import { createUser } from "../../users/create.js";
import { DuplicatedUser } from "../../users/rules.js";
import { newUserInput, type NewUserFields } from "../../users/schemas.js";
import { fill } from "../pages/i18n.js";
import type { SignInDeps } from "../provider.js";
import type { PoolProvider } from "../providers.js";
import { clientAddressOf, type SignInContext as Ctx } from "../request-info.js";
import { issueCode } from "./codes.js";
import { codeKey, csrfFor, csrfOk, languages, loadInteraction, paths, readForm, returnTargets, send } from "./context.js";
import { FLOOD, floodKey, withinFlood } from "./flood.js";
import { alreadyRegisteredMail, codeMail } from "./mail.js";
import { queueMail } from "./mailer.js";
import { codePage, noticePage, signUpPage, type SignUpField } from "./pages.js";
import { selfServiceSettings, type SelfServiceSettings } from "./settings.js";
import { afterAnswer } from "./later.js";
import type { SelfServiceStrings } from "./strings.js";

/** Each standard attribute's user field, form input and autocomplete token (WHATWG autofill). */
const ATTRIBUTES: Record<string, { field: keyof NewUserFields; type: SignUpField["type"]; autocomplete: string }> = {
  email: { field: "Email", type: "email", autocomplete: "email" },
  preferred_username: { field: "PreferredUsername", type: "text", autocomplete: "username" },
  phone_number: { field: "PhoneNumber", type: "tel", autocomplete: "tel" },
  name: { field: "Name", type: "text", autocomplete: "name" },
  given_name: { field: "GivenName", type: "text", autocomplete: "given-name" },
  family_name: { field: "FamilyName", type: "text", autocomplete: "family-name" },
  middle_name: { field: "MiddleName", type: "text", autocomplete: "additional-name" },
  nickname: { field: "Nickname", type: "text", autocomplete: "nickname" },
  picture: { field: "Picture", type: "text", autocomplete: "photo" },
  profile: { field: "Profile", type: "text", autocomplete: "url" },
  website: { field: "Website", type: "text", autocomplete: "url" },
  gender: { field: "Gender", type: "text", autocomplete: "sex" },
  birthdate: { field: "Birthdate", type: "text", autocomplete: "bday" },
  zoneinfo: { field: "Zoneinfo", type: "text", autocomplete: "off" },
  locale: { field: "Locale", type: "text", autocomplete: "language" },
};

function label(s: SelfServiceStrings, attribute: string): string {
  if (attribute === "email") return s.email;
  if (attribute === "preferred_username") return s.username;
  if (attribute === "phone_number") return s.phone;
  return s[`attr_${attribute}` as keyof SelfServiceStrings] ?? attribute;
}

/** The form's attributes in order (identifiers first), each with whether it is required. */
function formAttributes(st: SelfServiceSettings): { attribute: string; required: boolean }[] {
  const required = new Set(st.requiredSignUpAttributes);
  // A code needs an address; so does a pool that signs in by email only.
  if (st.autoVerification || (st.signInAttributes.length === 1 && st.signInAttributes[0] === "email")) required.add("email");
  const shown = ["email", "preferred_username", "phone_number"].filter((a) => st.signInAttributes.includes(a) || required.has(a));
  if (shown.length === 0) {
    shown.push("email");
    required.add("email");
  }
  const others = Object.keys(ATTRIBUTES).filter((a) => !shown.includes(a) && required.has(a));
  return [...shown, ...others].map((attribute) => ({ attribute, required: required.has(attribute) }));
}

const withPassword = (st: SelfServiceSettings) => st.methods.includes("PASSWORD");

function fieldsOf(s: SelfServiceStrings, st: SelfServiceSettings, values: Record<string, string>): SignUpField[] {
  const fields: SignUpField[] = formAttributes(st).map(({ attribute, required }) => ({
    name: attribute,
    label: label(s, attribute),
    type: ATTRIBUTES[attribute]!.type,
    required,
    autocomplete: ATTRIBUTES[attribute]!.autocomplete,
    value: values[attribute] ?? "",
  }));
  for (const name of st.signUpCustomAttributes)
    fields.push({
      name: `custom_${name}`,
      label: name,
      type: "text",
      required: true,
      autocomplete: "off",
      value: values[`custom_${name}`] ?? "",
    });
  if (withPassword(st))
    fields.splice(formAttributes(st).filter((a) => ["email", "preferred_username", "phone_number"].includes(a.attribute)).length, 0, {
      name: "password",
      label: s.password,
      type: "password",
      required: true,
      autocomplete: "new-password",
      value: "",
    });
  return fields;
}

/** The user's fields from the form, or the first problem as the person should read it. */
function userFields(s: SelfServiceStrings, st: SelfServiceSettings, form: Record<string, string>): NewUserFields | string {
  const raw: Record<string, unknown> = { EmailVerified: false };
  for (const { attribute, required } of formAttributes(st)) {
    const value = (form[attribute] ?? "").trim();
    if (required && value === "") return fill(s.fieldInvalid, { field: label(s, attribute), reason: s.required });
    if (value !== "") raw[ATTRIBUTES[attribute]!.field] = value;
  }
  // Custom attributes go through CreateUser's own checks (DataType, Minimum, Maximum).
  const custom = st.signUpCustomAttributes.map((Name) => ({ Name, Value: (form[`custom_${Name}`] ?? "").trim() }));
  const missing = custom.find((c) => c.Value === "");
  if (missing) return fill(s.fieldInvalid, { field: missing.Name, reason: s.required });
  if (custom.length) raw.CustomAttributesToUpsert = custom;
  if (withPassword(st)) {
    if (!form.password) return fill(s.fieldInvalid, { field: s.password, reason: s.required });
    raw.Password = form.password;
  }
  if (typeof raw.Email === "string" && !isPlainEmail(raw.Email))
    return fill(s.fieldInvalid, { field: s.email, reason: "name@example.com" });
  const parsed = newUserInput.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const attribute = Object.keys(ATTRIBUTES).find((a) => ATTRIBUTES[a]!.field === issue.path[0]);
    return fill(s.fieldInvalid, { field: attribute ? label(s, attribute) : String(issue.path[0]), reason: issue.message });
  }
  return parsed.data;
}

export function signUpHandlers(deps: SignInDeps) {
  async function start(c: Ctx, pp: PoolProvider, uid: string) {
    const { t, s } = languages(c);
    const brand = pp.snapshot.brand;
    const d = await loadInteraction(c, pp, uid);
    const st = d && (await selfServiceSettings(deps.db, pp.snapshot.accountId, pp.snapshot.poolUid));
    if (!d || !st) return undefined;
    const p = paths(pp, uid);
    if (!st.selfSignUp)
      return { refused: send(c, noticePage(t, brand, s.signUpTitle, s.signUpOff, { href: p.login, text: s.haveAccount }, 403)) };
    if (st.autoVerification && !st.mail)
      return { refused: send(c, noticePage(t, brand, s.signUpTitle, s.mailOff, { href: p.login, text: s.haveAccount }, 503)) };
    return { t, s, d, st, p, brand };
  }

  return {
    async show(c: Ctx, pp: PoolProvider, uid: string) {
      const ok = await start(c, pp, uid);
      if (!ok) return undefined;
      if ("refused" in ok) return ok.refused;
      const { t, s, st, p, brand } = ok;
      return send(
        c,
        signUpPage(t, s, brand, {
          action: p.signUp,
          csrf: csrfFor(pp, uid),
          backHref: p.login,
          fields: fieldsOf(s, st, {}),
          policy: withPassword(st) ? st.passwordPolicy : undefined,
        }),
      );
    },

    async submit(c: Ctx, pp: PoolProvider, uid: string) {
      const ok = await start(c, pp, uid);
      if (!ok) return undefined;
      if ("refused" in ok) return ok.refused;
      const { t, s, d, st, p, brand } = ok;
      const form = await readForm(c);
      if (!form || !csrfOk(pp, uid, form.csrf)) return undefined;
      const { accountId, poolUid } = pp.snapshot;
      const pool = { accountId, poolUid };
      const again = (error: string, status: number) =>
        send(
          c,
          signUpPage(
            t,
            s,
            brand,
            {
              action: p.signUp,
              csrf: csrfFor(pp, uid),
              backHref: p.login,
              fields: fieldsOf(s, st, form),
              policy: withPassword(st) ? st.passwordPolicy : undefined,
              error,
            },
            status,
          ),
        );
      const now = deps.clock.now();
      if (!(await withinFlood(deps.db, pool, "client_sign_up", floodKey.client(clientAddressOf(c)), FLOOD.signUpsPerClient, now)))
        return again(s.tooMany, 429);
      const fields = userFields(s, st, form);
      if (typeof fields === "string") return again(fields, 400);

      // The user, or the identifier someone else holds (told to no one but its owner).
      let userUid: string | null = null;
      let takenEmail = false;
      try {
        userUid = (await createUser(deps, accountId, poolUid, fields)).Uid;
      } catch (err) {
        if (err instanceof DuplicatedUser && err.field === "PreferredUsername") return again(s.usernameTaken, 409);
        if (!(err instanceof DuplicatedUser)) {
          if (err instanceof ApiError && err.code.startsWith("InvalidParameter")) {
            const reason = err.message;
            const field = err.code.slice("InvalidParameter.".length).replace(/^CustomAttributesToUpsert.*/, "");
            if (!field) return again(reason, 400);
            return again(fill(s.fieldInvalid, { field: field === "Password" ? s.password : field, reason }), 400);
          }
          if (err instanceof ApiError) return again(s.cannotCreate, 400);
          throw err;
        }
        takenEmail = err.field === "Email";
      }
      const email = typeof fields.Email === "string" && fields.Email ? fields.Email : undefined;
      const lang = t.lang;
      const mayMail =
        email !== undefined && (await withinFlood(deps.db, pool, "mail_to", floodKey.address(email), FLOOD.mailsPerAddress, now));
      // Mails are queued after the answer: a taken and a new address are answered after the same work.
      if (takenEmail && mayMail)
        afterAnswer(deps, "sign_up_exists", () =>
          queueMail(deps.db, pool, "sign_up_exists", email!, alreadyRegisteredMail(s, lang, brand, st.poolName), now),
        );

      if (st.autoVerification && email !== undefined) {
        const scope = { accountId, poolUid, purpose: "sign_up" as const, interactionUid: uid, key: codeKey(pp) };
        const code = await issueCode(deps.db, scope, userUid, now);
        if (userUid !== null && mayMail)
          afterAnswer(deps, "sign_up_code", () =>
            queueMail(deps.db, pool, "sign_up_code", email, codeMail(s, lang, brand, st.poolName, "sign_up", code.code), now),
          );
        return send(
          c,
          codePage(t, s, brand, {
            action: `${p.verify}?purpose=sign_up`,
            resendAction: `${p.resend}?purpose=sign_up`,
            csrf: csrfFor(pp, uid),
            codeId: code.id,
            address: email,
            backHref: p.login,
            returnTo: returnTargets(d),
          }),
        );
      }
      return send(c, noticePage(t, brand, s.signUpTitle, s.created, { href: p.login, text: s.continueSignIn }));
    },
  };
}
