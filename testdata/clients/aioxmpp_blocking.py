#!/usr/bin/env python3
"""XEP-0191 through aioxmpp's BlockingClient against `scansim serve`.

The same checks as slixmpp_blocking.py, with aioxmpp (STARTTLS with
certificate verification off for the server's self-signed certificate,
SASL through aiosasl): subscribe both ways through RosterClient, block and
unblock through BlockingClient, and assert what each user sees.
Usage: aioxmpp_blocking.py HOST PORT
"""
import asyncio
import sys

import aioxmpp
import aioxmpp.connector
import aioxmpp.dispatcher
import aioxmpp.stanza
import aioxmpp.xso

HOST, PORT = sys.argv[1], int(sys.argv[2])
ROMEO = aioxmpp.JID.fromstr("romeo@localhost")
JULIET = aioxmpp.JID.fromstr("juliet@localhost")
failures = []


# aioxmpp parses only the application conditions it was told about.
@aioxmpp.stanza.Error.as_application_condition
class Blocked(aioxmpp.xso.XSO):
    TAG = ("urn:xmpp:blocking:errors", "blocked")


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


class User:
    def __init__(self, jid):
        self.client = aioxmpp.PresenceManagedClient(
            jid.replace(resource="aioxmpp"),
            aioxmpp.make_security_layer("any-password", no_verify=True),
            override_peer=[(HOST, PORT, aioxmpp.connector.STARTTLSConnector())],
        )
        self.client.presence = aioxmpp.PresenceState(True)
        self.messages, self.errors, self.unavailable = [], [], []
        self.roster = self.client.summon(aioxmpp.RosterClient)
        self.blocking = self.client.summon(aioxmpp.BlockingClient)
        md = self.client.summon(aioxmpp.dispatcher.SimpleMessageDispatcher)
        md.register_callback(aioxmpp.MessageType.CHAT, None, lambda m: self.messages.append(m))
        md.register_callback(aioxmpp.MessageType.ERROR, None, lambda m: self.errors.append(m))
        pd = self.client.summon(aioxmpp.dispatcher.SimplePresenceDispatcher)
        pd.register_callback(aioxmpp.PresenceType.UNAVAILABLE, None, lambda p: self.unavailable.append(p))
        # Approve every subscription request.
        self.roster.on_subscribe.connect(lambda st: self.roster.approve(st.from_.bare()))

    async def send(self, to, body):
        msg = aioxmpp.Message(type_=aioxmpp.MessageType.CHAT, to=to)
        msg.body[None] = body
        await self.client.send(msg)


def bodies(msgs):
    return [m.body.any() for m in msgs]


async def settle():
    await asyncio.sleep(0.5)


async def main():
    romeo, juliet = User(ROMEO), User(JULIET)
    async with romeo.client.connected(), juliet.client.connected():
        check(True, "connected over STARTTLS")
        romeo.roster.subscribe(JULIET)
        juliet.roster.subscribe(ROMEO)
        await settle()
        check(romeo.roster.items.get(JULIET) is not None and romeo.roster.items[JULIET].subscription == "both",
              "Romeo's roster: Juliet, subscription both")
        check(juliet.roster.items.get(ROMEO) is not None and juliet.roster.items[ROMEO].subscription == "both",
              "Juliet's roster: Romeo, subscription both")

        await romeo.send(JULIET, "before the block")
        await settle()
        check(bodies(juliet.messages) == ["before the block"], "Juliet receives Romeo's message before the block")

        romeo.unavailable.clear()
        await juliet.blocking.block_jids([ROMEO])
        await settle()
        check(set(juliet.blocking.blocklist) == {ROMEO}, "Juliet's blocklist holds Romeo")
        check(any(p.from_.bare() == JULIET for p in romeo.unavailable),
              "Romeo receives Juliet's unavailable presence when she blocks him")

        juliet.messages.clear()
        await romeo.send(JULIET, "across the block")
        await settle()
        check(len(romeo.errors) == 1 and romeo.errors[0].error.condition == aioxmpp.ErrorCondition.SERVICE_UNAVAILABLE
              and romeo.errors[0].from_ == JULIET,
              "Romeo's message to Juliet's bare JID bounces with service-unavailable from her bare JID")
        romeo.errors.clear()
        await romeo.send(juliet.client.local_jid, "to her resource")
        await settle()
        check(romeo.errors == [], "Romeo's message to Juliet's full JID is dropped in silence")
        check(juliet.messages == [], "Juliet receives nothing from the blocked Romeo")

        await juliet.send(ROMEO, "to the blocked")
        await settle()
        err = juliet.errors[-1] if juliet.errors else None
        check(err is not None and err.error.condition == aioxmpp.ErrorCondition.NOT_ACCEPTABLE,
              "Juliet's message to Romeo bounces with not-acceptable")
        check(err is not None and isinstance(err.error.application_condition, Blocked),
              "the bounce carries <blocked xmlns='urn:xmpp:blocking:errors'/>")
        check("to the blocked" not in bodies(romeo.messages), "Romeo does not receive it")

        await juliet.blocking.unblock_jids([ROMEO])
        await settle()
        check(len(juliet.blocking.blocklist) == 0, "Juliet's blocklist is empty after unblocking")
        await romeo.send(JULIET, "after the unblock")
        await settle()
        check(bodies(juliet.messages) == ["after the unblock"], "Juliet receives Romeo's message after the unblock")


asyncio.run(main())
if failures:
    print("%d check(s) failed" % len(failures))
    sys.exit(1)
print("all checks passed")
