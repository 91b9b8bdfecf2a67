// Scenario A, the ceiling: a bare Hono route on @hono/node-server answering a static envelope.
// Whatever the service does costs on top of this.
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const envelope = {
  ResponseMetadata: {
    RequestId: "20251030080910000000000000000000",
    Action: "GetUserPool",
    Version: "2025-10-30",
    Service: "id",
    Region: "cn-beijing",
  },
  Result: { Uid: "b3053494-998a-4d82-9e6c-b84c4a49efbe", Name: "bench", Enabled: true },
};
const app = new Hono();
app.post("/", (c) => c.json(envelope));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: "127.0.0.1" }, (info) => console.log(`listening ${info.port}`));
