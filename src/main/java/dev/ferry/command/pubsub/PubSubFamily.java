package dev.ferry.command.pubsub;

import dev.ferry.engine.Call;
import dev.ferry.engine.CommandFamily;
import dev.ferry.engine.CommandTable;
import dev.ferry.engine.Errors;
import dev.ferry.engine.PubSub;
import dev.ferry.protocol.Reply;

import java.util.ArrayList;
import java.util.Locale;

import static dev.ferry.engine.CommandFlags.*;

/**
 * SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, their shard forms (SSUBSCRIBE, SUNSUBSCRIBE,
 * SPUBLISH: without a cluster, plain channels of their own namespace, as Redis 7.0 standalone) and PUBSUB
 * (pubsub.c). The bookkeeping and delivery are the engine's {@link PubSub}.
 */
public final class PubSubFamily implements CommandFamily {
    private static final String[] PUBSUB_HELP = {
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Prints this help.",
    };

    @Override
    public void register(CommandTable t) {
        int sub = PUBSUB | NOSCRIPT | LOADING | STALE;
        t.add("subscribe", -2, sub, 0, 0, 0, "pubsub", this::subscribe);
        t.add("unsubscribe", -1, sub, 0, 0, 0, "pubsub", this::unsubscribe);
        t.add("psubscribe", -2, sub, 0, 0, 0, "pubsub", this::psubscribe);
        t.add("punsubscribe", -1, sub, 0, 0, 0, "pubsub", this::punsubscribe);
        t.add("publish", 3, PUBSUB | LOADING | STALE | FAST, 0, 0, 0, "pubsub", c -> publish(c, false));
        t.add("ssubscribe", -2, sub, 1, -1, 1, "pubsub", this::ssubscribe);
        t.add("sunsubscribe", -1, sub, 1, -1, 1, "pubsub", this::sunsubscribe);
        t.add("spublish", 3, PUBSUB | LOADING | STALE | FAST, 1, 1, 1, "pubsub", c -> publish(c, true));
        int intro = PUBSUB | LOADING | STALE;
        t.add("pubsub", -2, 0, 0, 0, 0, "pubsub", c -> { throw Errors.of(Errors.wrongArgs("pubsub")); })
            .sub("numsub", -2, intro, 0, 0, 0, c -> numsub(c, false))
            .sub("numpat", 2, intro, 0, 0, 0, c -> c.reply.integer(c.server.pubsub().patternCount()))
            .sub("channels", -2, intro, 0, 0, 0, c -> channels(c, false))
            .sub("help", 2, LOADING | STALE, 0, 0, 0, c -> c.reply.help(PUBSUB_HELP))
            .sub("shardnumsub", -2, intro, 0, 0, 0, c -> numsub(c, true))
            .sub("shardchannels", -2, intro, 0, 0, 0, c -> channels(c, true));
    }

    private void subscribe(Call c) {
        PubSub ps = c.server.pubsub();
        for (int i = 1; i < c.argc(); i++) ps.subscribe(c.client, c.arg(i), false);
        ps.updateMode(c.client);
    }

    private void ssubscribe(Call c) {
        // Redis sets CLIENT_DENY_BLOCKING while EXEC runs, and SSUBSCRIBE (unlike SUBSCRIBE) has no MULTI exception
        if (c.server.callExecutor().inExec()) throw Errors.of("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
        PubSub ps = c.server.pubsub();
        for (int i = 1; i < c.argc(); i++) ps.subscribe(c.client, c.arg(i), true);
        ps.updateMode(c.client);
    }

    private void psubscribe(Call c) {
        PubSub ps = c.server.pubsub();
        for (int i = 1; i < c.argc(); i++) ps.psubscribe(c.client, c.arg(i));
        ps.updateMode(c.client);
    }

    private void unsubscribe(Call c) {
        unsubscribe(c, false);
    }

    private void sunsubscribe(Call c) {
        unsubscribe(c, true);
    }

    private void unsubscribe(Call c, boolean shard) {
        PubSub ps = c.server.pubsub();
        if (c.argc() == 1) ps.unsubscribeAllChannels(c.client, shard, true);
        else for (int i = 1; i < c.argc(); i++) ps.unsubscribe(c.client, c.arg(i), shard, true);
        ps.updateMode(c.client);
    }

    private void punsubscribe(Call c) {
        PubSub ps = c.server.pubsub();
        if (c.argc() == 1) ps.unsubscribeAllPatterns(c.client, true);
        else for (int i = 1; i < c.argc(); i++) ps.punsubscribe(c.client, c.arg(i), true);
        ps.updateMode(c.client);
    }

    /** PUBLISH / SPUBLISH: delivered, then propagated to replicas although no key changed (forceCommandPropagation). */
    private void publish(Call c, boolean shard) {
        int receivers = c.server.pubsub().publish(c.client, c.arg(1), c.arg(2), shard);
        c.forcePropagation();
        c.reply.integer(receivers);
    }

    private void channels(Call c, boolean shard) {
        if (c.argc() > 3) throw subcommandSyntax(c);
        ArrayList<byte[]> list = c.server.pubsub().activeChannels(c.argc() == 3 ? c.arg(2) : null, shard);
        c.reply.array(list.size());
        for (byte[] ch : list) c.reply.bulk(ch);
    }

    private void numsub(Call c, boolean shard) {
        Reply r = c.reply;
        PubSub ps = c.server.pubsub();
        r.array((c.argc() - 2) * 2);
        for (int i = 2; i < c.argc(); i++) {
            r.bulk(c.arg(i));
            r.integer(ps.subscribers(c.arg(i), shard));
        }
    }

    /** Redis's addReplySubcommandSyntaxError. */
    private static RuntimeException subcommandSyntax(Call c) {
        return Errors.of("ERR unknown subcommand or wrong number of arguments for '"
            + cString(c.arg(1)) + "'. Try " + cString(c.arg(0)).toUpperCase(Locale.ROOT) + " HELP.");
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && n < 128 && b[n] != 0) n++;
        return new String(b, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
