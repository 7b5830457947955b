#!/usr/bin/env python3
"""XEP-0191 through slixmpp's xep_0191 against `scansim serve`.

Two users connect (STARTTLS with the server's self-signed certificate,
SASL PLAIN), subscribe to each other, then Juliet blocks and unblocks Romeo
through slixmpp's blocking API. Asserted, as XEP-0191 and Prosody's
mod_blocklist require:
  - while blocked, Romeo's message to Juliet's bare JID bounces with
    service-unavailable (XEP-0191 §3.4) and one to her full JID is dropped
    in silence (Prosody, issue #690): she receives neither;
  - Juliet's message to the blocked Romeo bounces with not-acceptable and
    <blocked xmlns='urn:xmpp:blocking:errors'/>;
  - blocking sends Romeo Juliet's unavailable presence;
  - after unblocking, messages flow again.
Usage: slixmpp_blocking.py HOST PORT
"""
import asyncio
import ssl
import sys

import slixmpp

HOST, PORT = sys.argv[1], int(sys.argv[2])
ROMEO, JULIET = "romeo@localhost", "juliet@localhost"
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


class Client(slixmpp.ClientXMPP):
    def __init__(self, jid):
        super().__init__(jid + "/slixmpp", "any-password")
        self.register_plugin("xep_0191")
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.messages, self.errors, self.presences = [], [], []
        self.started = asyncio.Event()
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("message", self.on_message)
        # slixmpp reports type='error' messages as message_error only.
        self.add_event_handler("message_error", lambda m: self.errors.append(m))
        self.add_event_handler("presence", lambda p: self.presences.append(p))
        self.add_event_handler("presence_subscribe", self.on_subscribe)

    async def on_start(self, _):
        self.send_presence()
        await self.get_roster()
        self.started.set()

    def on_subscribe(self, p):
        self.send_presence(pto=p["from"].bare, ptype="subscribed")

    def on_message(self, m):
        if m["type"] != "error":
            self.messages.append(m)


async def settle():
    await asyncio.sleep(0.5)


async def main():
    romeo, juliet = Client(ROMEO), Client(JULIET)
    for c in (romeo, juliet):
        c.connect(address=(HOST, PORT), force_starttls=True)
    await asyncio.wait_for(asyncio.gather(romeo.started.wait(), juliet.started.wait()), 10)
    check(romeo.is_encrypted if hasattr(romeo, "is_encrypted") else True, "connected over STARTTLS")

    romeo.send_presence(pto=JULIET, ptype="subscribe")
    juliet.send_presence(pto=ROMEO, ptype="subscribe")
    await settle()
    check(romeo.client_roster[JULIET]["subscription"] == "both", "Romeo's roster: Juliet, subscription both")
    check(juliet.client_roster[ROMEO]["subscription"] == "both", "Juliet's roster: Romeo, subscription both")

    romeo.send_message(mto=JULIET, mbody="before the block", mtype="chat")
    await settle()
    check([m["body"] for m in juliet.messages] == ["before the block"], "Juliet receives Romeo's message before the block")

    romeo.presences.clear()
    await juliet["xep_0191"].block([ROMEO])
    blocked = await juliet["xep_0191"].get_blocked()
    check({str(j) for j in blocked["blocklist"]["items"]} == {ROMEO}, "Juliet's blocklist holds Romeo")
    await settle()
    check(any(p["type"] == "unavailable" and p["from"].bare == JULIET for p in romeo.presences),
          "Romeo receives Juliet's unavailable presence when she blocks him")

    juliet.messages.clear()
    romeo.errors.clear()
    romeo.send_message(mto=JULIET, mbody="across the block", mtype="chat")
    await settle()
    check(len(romeo.errors) == 1 and romeo.errors[0]["error"]["condition"] == "service-unavailable"
          and romeo.errors[0]["from"] == JULIET,
          "Romeo's message to Juliet's bare JID bounces with service-unavailable from her bare JID")
    romeo.errors.clear()
    romeo.send_message(mto=JULIET + "/slixmpp", mbody="to her resource", mtype="chat")
    await settle()
    check(romeo.errors == [], "Romeo's message to Juliet's full JID is dropped in silence")
    check(juliet.messages == [], "Juliet receives nothing from the blocked Romeo")

    juliet.send_message(mto=ROMEO, mbody="to the blocked", mtype="chat")
    await settle()
    err = juliet.errors[-1] if juliet.errors else None
    check(err is not None and err["error"]["condition"] == "not-acceptable",
          "Juliet's message to Romeo bounces with not-acceptable")
    check(err is not None and err.xml.find("{jabber:client}error/{urn:xmpp:blocking:errors}blocked") is not None,
          "the bounce carries <blocked xmlns='urn:xmpp:blocking:errors'/>")
    check(not any(m["body"] == "to the blocked" for m in romeo.messages), "Romeo does not receive it")

    await juliet["xep_0191"].unblock([ROMEO])
    blocked = await juliet["xep_0191"].get_blocked()
    check(len(blocked["blocklist"]["items"]) == 0, "Juliet's blocklist is empty after unblocking")
    romeo.send_message(mto=JULIET, mbody="after the unblock", mtype="chat")
    await settle()
    check([m["body"] for m in juliet.messages] == ["after the unblock"], "Juliet receives Romeo's message after the unblock")

    for c in (romeo, juliet):
        c.disconnect()
    await asyncio.sleep(0.5)


asyncio.get_event_loop().run_until_complete(main())
if failures:
    print("%d check(s) failed" % len(failures))
    sys.exit(1)
print("all checks passed")
