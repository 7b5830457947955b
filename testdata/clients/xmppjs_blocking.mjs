// XEP-0191 through @xmpp/client against `scansim serve`.
//
// The same checks as slixmpp_blocking.py. @xmpp/client has no XEP-0191
// module, so blocking goes through its iq caller (the way its users do
// it); everything else through the library: STARTTLS (the server's
// self-signed certificate accepted), SASL, binding, presence, messages.
// Usage: XMPPJS_MODULES=DIR/node_modules node xmppjs_blocking.mjs HOST PORT
import process from "node:process";
import { pathToFileURL } from "node:url";

const mod = await import(pathToFileURL(process.env.XMPPJS_MODULES + "/@xmpp/client/index.js"));
const { client, xml } = mod.client ? mod : mod.default;

process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
const [host, port] = process.argv.slice(2);
const ROMEO = "romeo@localhost", JULIET = "juliet@localhost";
const failures = [];

function check(cond, what) {
  console.log((cond ? "ok   " : "FAIL ") + what);
  if (!cond) failures.push(what);
}

const settle = () => new Promise((r) => setTimeout(r, 500));

async function user(name) {
  const xmpp = client({
    service: `xmpp://${host}:${port}`,
    domain: "localhost",
    resource: "xmppjs",
    username: name,
    password: "any-password",
  });
  const u = { xmpp, messages: [], errors: [], unavailable: [], subscribed: [] };
  xmpp.on("error", (e) => console.log("error:", e.message));
  xmpp.on("stanza", (st) => {
    if (st.is("message")) {
      (st.attrs.type === "error" ? u.errors : u.messages).push(st);
    } else if (st.is("presence")) {
      const from = st.attrs.from || "";
      if (st.attrs.type === "subscribe") {
        xmpp.send(xml("presence", { to: from.split("/")[0], type: "subscribed" }));
      } else if (st.attrs.type === "unavailable") {
        u.unavailable.push(st);
      }
    }
  });
  await xmpp.start();
  // After STARTTLS the connection holds @xmpp/tls's wrapper around a tls.TLSSocket.
  const sock = xmpp.socket && (xmpp.socket.socket || xmpp.socket);
  u.secure = sock !== undefined && sock.encrypted === true;
  await xmpp.send(xml("presence"));
  return u;
}

const body = (st) => st.getChildText("body");
const roster = async (u) =>
  (await u.xmpp.iqCaller.get(xml("query", { xmlns: "jabber:iq:roster" }))).getChildren("item");
const blocklist = async (u) =>
  (await u.xmpp.iqCaller.get(xml("blocklist", { xmlns: "urn:xmpp:blocking" }))).getChildren("item").map((i) => i.attrs.jid);
const chat = (to, text) => xml("message", { to, type: "chat" }, xml("body", {}, text));

const romeo = await user("romeo");
const juliet = await user("juliet");
check(romeo.secure && juliet.secure, "connected over STARTTLS");

await romeo.xmpp.send(xml("presence", { to: JULIET, type: "subscribe" }));
await juliet.xmpp.send(xml("presence", { to: ROMEO, type: "subscribe" }));
await settle();
const rr = await roster(romeo), jr = await roster(juliet);
check(rr.length === 1 && rr[0].attrs.jid === JULIET && rr[0].attrs.subscription === "both", "Romeo's roster: Juliet, subscription both");
check(jr.length === 1 && jr[0].attrs.jid === ROMEO && jr[0].attrs.subscription === "both", "Juliet's roster: Romeo, subscription both");

await romeo.xmpp.send(chat(JULIET, "before the block"));
await settle();
check(juliet.messages.map(body).join() === "before the block", "Juliet receives Romeo's message before the block");

romeo.unavailable.length = 0;
await juliet.xmpp.iqCaller.set(xml("block", { xmlns: "urn:xmpp:blocking" }, xml("item", { jid: ROMEO })));
check((await blocklist(juliet)).join() === ROMEO, "Juliet's blocklist holds Romeo");
await settle();
check(romeo.unavailable.some((p) => (p.attrs.from || "").startsWith(JULIET)), "Romeo receives Juliet's unavailable presence when she blocks him");

juliet.messages.length = 0;
await romeo.xmpp.send(chat(JULIET, "across the block"));
await settle();
const e1 = romeo.errors[0];
check(romeo.errors.length === 1 && e1.attrs.from === JULIET && e1.getChild("error").getChild("service-unavailable") !== undefined,
  "Romeo's message to Juliet's bare JID bounces with service-unavailable from her bare JID");
romeo.errors.length = 0;
await romeo.xmpp.send(chat(JULIET + "/xmppjs", "to her resource"));
await settle();
check(romeo.errors.length === 0, "Romeo's message to Juliet's full JID is dropped in silence");
check(juliet.messages.length === 0, "Juliet receives nothing from the blocked Romeo");

await juliet.xmpp.send(chat(ROMEO, "to the blocked"));
await settle();
const e2 = juliet.errors[juliet.errors.length - 1];
check(e2 !== undefined && e2.getChild("error").getChild("not-acceptable") !== undefined, "Juliet's message to Romeo bounces with not-acceptable");
check(e2 !== undefined && e2.getChild("error").getChild("blocked", "urn:xmpp:blocking:errors") !== undefined,
  "the bounce carries <blocked xmlns='urn:xmpp:blocking:errors'/>");
check(!romeo.messages.some((m) => body(m) === "to the blocked"), "Romeo does not receive it");

await juliet.xmpp.iqCaller.set(xml("unblock", { xmlns: "urn:xmpp:blocking" }, xml("item", { jid: ROMEO })));
check((await blocklist(juliet)).length === 0, "Juliet's blocklist is empty after unblocking");
await romeo.xmpp.send(chat(JULIET, "after the unblock"));
await settle();
check(juliet.messages.map(body).join() === "after the unblock", "Juliet receives Romeo's message after the unblock");

await romeo.xmpp.stop();
await juliet.xmpp.stop();
if (failures.length) {
  console.log(`${failures.length} check(s) failed`);
  process.exit(1);
}
console.log("all checks passed");
