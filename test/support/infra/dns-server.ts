// A real DNS server on loopback (dns2, UDP, a random port) for the custom-domain tests: it answers
// CNAME questions from a table the test fills, NXDOMAIN for names it does not know, and nothing at
// all for names marked silent, so a lookup of one of those can only end by timing out; names marked
// empty exist without a CNAME (NOERROR, no answer), names marked failing answer SERVFAIL.
import dns2 from "dns2";

const { Packet } = dns2;

export interface TestDns {
  /** "127.0.0.1:<port>", as ID_DNS_RESOLVERS takes it. */
  address: string;
  /** name -> the CNAME target it answers (names lower-case, no trailing dot). */
  cnames: Map<string, string>;
  /** Names it never answers. */
  silent: Set<string>;
  /** Names that exist without a CNAME record. */
  empty: Set<string>;
  /** Names it answers SERVFAIL. */
  failing: Set<string>;
  /** Every name it was asked about, in order. */
  asked: string[];
  close(): Promise<void>;
}

export async function startTestDns(): Promise<TestDns> {
  const cnames = new Map<string, string>();
  const silent = new Set<string>();
  const empty = new Set<string>();
  const failing = new Set<string>();
  const asked: string[] = [];
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const [question] = request.questions;
      const name = (question?.name ?? "").toLowerCase().replace(/\.$/, "");
      asked.push(name);
      if (silent.has(name)) return;
      const response = Packet.createResponseFromRequest(request);
      const target = cnames.get(name);
      if (failing.has(name)) response.header.rcode = Packet.RCODE.SERVFAIL;
      else if (empty.has(name)) response.header.rcode = Packet.RCODE.NOERROR;
      else if (target && question)
        response.answers.push(Packet.createResourceFromQuestion(question, { type: Packet.TYPE.CNAME, ttl: 60, domain: target }));
      else response.header.rcode = Packet.RCODE.NXDOMAIN;
      send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: "127.0.0.1" } });
  return {
    address: `127.0.0.1:${addresses.udp!.port}`,
    cnames,
    silent,
    empty,
    failing,
    asked,
    close: () => server.close(),
  };
}
