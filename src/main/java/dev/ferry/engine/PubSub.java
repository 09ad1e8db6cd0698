package dev.ferry.engine;

import dev.ferry.protocol.Reply;
import dev.ferry.store.Glob;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * Redis's pubsub.c: who listens to which channel, pattern and shard channel, and the delivery of
 * messages to them.
 *
 * <p>A message to another client is written into that client's reply buffer (which is idle: the
 * executing loop runs one client's command at a time) and the client is flushed in a later task of the
 * loop, after the publishing command's batch, like Redis's beforeSleep writes: never inside another
 * client's command turn. A message to the publisher itself lands in its own reply, before PUBLISH's
 * count, as in Redis. The subscriber's connection applies the pubsub client-output-buffer-limit when it
 * flushes (a subscriber that does not read is closed past the hard limit).
 */
public final class PubSub {
    private static final byte[] MESSAGE = bytes("message"), PMESSAGE = bytes("pmessage"), SMESSAGE = bytes("smessage");
    private static final byte[] SUBSCRIBE = bytes("subscribe"), UNSUBSCRIBE = bytes("unsubscribe");
    private static final byte[] PSUBSCRIBE = bytes("psubscribe"), PUNSUBSCRIBE = bytes("punsubscribe");
    private static final byte[] SSUBSCRIBE = bytes("ssubscribe"), SUNSUBSCRIBE = bytes("sunsubscribe");

    /** A channel or pattern name as a hash key (the bytes are a private copy, never an argument array). */
    public record Name(byte[] bytes) {
        static Name copyOf(byte[] b) {
            return new Name(b.clone());
        }

        static Name lookup(byte[] b) {
            return new Name(b);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Name n && Arrays.equals(bytes, n.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    /** One client's subscriptions (Redis's c->pubsub_channels, pubsub_patterns, pubsubshard_channels). */
    static final class Subscriptions {
        final LinkedHashSet<Name> channels = new LinkedHashSet<>();
        final LinkedHashSet<Name> patterns = new LinkedHashSet<>();
        final LinkedHashSet<Name> shardChannels = new LinkedHashSet<>();
        /** Waiting in {@link #pending} for a flush. */
        boolean pendingFlush;
    }

    private final ServerContext server;
    private final Map<Name, LinkedHashSet<Client>> channels = new LinkedHashMap<>();
    private final Map<Name, LinkedHashSet<Client>> patterns = new LinkedHashMap<>();
    private final Map<Name, LinkedHashSet<Client>> shardChannels = new LinkedHashMap<>();
    /** Subscribers that received messages and wait for their flush. */
    private final ArrayList<Client> pending = new ArrayList<>();
    private boolean flushScheduled;

    PubSub(ServerContext server) {
        this.server = server;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    // ---- counts -------------------------------------------------------------------------------------

    /** INFO stats pubsub_channels. */
    public int channelCount() {
        return channels.size();
    }

    /** INFO stats pubsub_patterns, PUBSUB NUMPAT. */
    public int patternCount() {
        return patterns.size();
    }

    /** INFO stats pubsubshard_channels. */
    public int shardChannelCount() {
        return shardChannels.size();
    }

    /** Subscribers of a channel (PUBSUB NUMSUB / SHARDNUMSUB), patterns not counted. */
    public int subscribers(byte[] channel, boolean shard) {
        LinkedHashSet<Client> set = (shard ? shardChannels : channels).get(Name.lookup(channel));
        return set == null ? 0 : set.size();
    }

    /** The active channels (shard channels) matching a pattern, or all when it is null (PUBSUB CHANNELS). */
    public ArrayList<byte[]> activeChannels(byte[] pattern, boolean shard) {
        ArrayList<byte[]> out = new ArrayList<>();
        for (Name n : (shard ? shardChannels : channels).keySet()) {
            if (pattern == null || Glob.matches(pattern, n.bytes())) out.add(n.bytes());
        }
        return out;
    }

    /** Redis's clientSubscriptionsCount: channels plus patterns. */
    public static int subscriptionCount(Client c) {
        Subscriptions s = c.subscriptions();
        return s == null ? 0 : s.channels.size() + s.patterns.size();
    }

    public static int channelCount(Client c) {
        Subscriptions s = c.subscriptions();
        return s == null ? 0 : s.channels.size();
    }

    public static int patternCount(Client c) {
        Subscriptions s = c.subscriptions();
        return s == null ? 0 : s.patterns.size();
    }

    /** Redis's clientShardSubscriptionsCount. */
    public static int shardCount(Client c) {
        Subscriptions s = c.subscriptions();
        return s == null ? 0 : s.shardChannels.size();
    }

    // ---- subscribe / unsubscribe ----------------------------------------------------------------------

    private static Subscriptions subs(Client c) {
        Subscriptions s = c.subscriptions();
        if (s == null) {
            s = new Subscriptions();
            c.subscriptions(s);
        }
        return s;
    }

    /** SUBSCRIBE / SSUBSCRIBE of one channel, with its notification. */
    public void subscribe(Client c, byte[] channel, boolean shard) {
        Subscriptions s = subs(c);
        Name key = Name.copyOf(channel);
        if ((shard ? s.shardChannels : s.channels).add(key)) {
            (shard ? shardChannels : channels).computeIfAbsent(key, k -> new LinkedHashSet<>()).add(c);
        }
        notify(c, shard ? SSUBSCRIBE : SUBSCRIBE, channel, shard ? shardCount(c) : subscriptionCount(c));
    }

    /** PSUBSCRIBE of one pattern, with its notification. */
    public void psubscribe(Client c, byte[] pattern) {
        Subscriptions s = subs(c);
        Name key = Name.copyOf(pattern);
        if (s.patterns.add(key)) patterns.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(c);
        notify(c, PSUBSCRIBE, pattern, subscriptionCount(c));
    }

    /** UNSUBSCRIBE / SUNSUBSCRIBE of one channel; returns whether the client was subscribed. */
    public boolean unsubscribe(Client c, byte[] channel, boolean shard, boolean notify) {
        Subscriptions s = c.subscriptions();
        Name key = Name.lookup(channel);
        boolean was = s != null && (shard ? s.shardChannels : s.channels).remove(key);
        if (was) removeFrom(shard ? shardChannels : channels, key, c);
        if (notify) notify(c, shard ? SUNSUBSCRIBE : UNSUBSCRIBE, channel, shard ? shardCount(c) : subscriptionCount(c));
        return was;
    }

    /** PUNSUBSCRIBE of one pattern; returns whether the client was subscribed. */
    public boolean punsubscribe(Client c, byte[] pattern, boolean notify) {
        Subscriptions s = c.subscriptions();
        Name key = Name.lookup(pattern);
        boolean was = s != null && s.patterns.remove(key);
        if (was) removeFrom(patterns, key, c);
        if (notify) notify(c, PUNSUBSCRIBE, pattern, subscriptionCount(c));
        return was;
    }

    /** UNSUBSCRIBE / SUNSUBSCRIBE without arguments: every channel, or one notification with a null name. */
    public void unsubscribeAllChannels(Client c, boolean shard, boolean notify) {
        Subscriptions s = c.subscriptions();
        int count = 0;
        if (s != null) {
            for (Name n : new ArrayList<>(shard ? s.shardChannels : s.channels)) {
                if (unsubscribe(c, n.bytes(), shard, notify)) count++;
            }
        }
        if (notify && count == 0) notify(c, shard ? SUNSUBSCRIBE : UNSUBSCRIBE, null, shard ? shardCount(c) : subscriptionCount(c));
    }

    /** PUNSUBSCRIBE without arguments. */
    public void unsubscribeAllPatterns(Client c, boolean notify) {
        Subscriptions s = c.subscriptions();
        int count = 0;
        if (s != null) {
            for (Name n : new ArrayList<>(s.patterns)) if (punsubscribe(c, n.bytes(), notify)) count++;
        }
        if (notify && count == 0) notify(c, PUNSUBSCRIBE, null, subscriptionCount(c));
    }

    /** RESET and a closed connection: every subscription ends, without notifications. */
    public void unsubscribeAll(Client c) {
        if (c.subscriptions() == null) return;
        unsubscribeAllChannels(c, false, false);
        unsubscribeAllChannels(c, true, false);
        unsubscribeAllPatterns(c, false);
        updateMode(c);
    }

    /**
     * After a (un)subscribe command: the client is in pubsub mode (Redis's CLIENT_PUBSUB flag) while it has
     * a subscription, and its output buffer limit class follows (getClientType).
     */
    public void updateMode(Client c) {
        boolean subscribed = subscriptionCount(c) + shardCount(c) > 0;
        ClientChannel ch = c.channel();
        if (subscribed && ch.type() == ClientType.NORMAL) ch.type(ClientType.PUBSUB);
        else if (!subscribed && ch.type() == ClientType.PUBSUB) ch.type(ClientType.NORMAL);
    }

    private static void removeFrom(Map<Name, LinkedHashSet<Client>> map, Name key, Client c) {
        LinkedHashSet<Client> set = map.get(key);
        if (set == null) return;
        set.remove(c);
        if (set.isEmpty()) map.remove(key);
    }

    private static void notify(Client c, byte[] kind, byte[] name, int count) {
        Reply r = c.pushReply();
        r.push(3);
        r.bulk(kind);
        if (name == null) r.nullBulk();
        else r.bulk(name);
        r.integer(count);
    }

    // ---- publish ------------------------------------------------------------------------------------

    /** PUBLISH / SPUBLISH: delivers to the channel's subscribers (and, unsharded, the matching patterns); returns the receivers. */
    public int publish(Client publisher, byte[] channel, byte[] message, boolean shard) {
        int receivers = 0;
        LinkedHashSet<Client> direct = (shard ? shardChannels : channels).get(Name.lookup(channel));
        if (direct != null) {
            for (Client c : direct) {
                Reply r = c.pushReply();
                r.push(3);
                r.bulk(shard ? SMESSAGE : MESSAGE);
                r.bulk(channel);
                r.bulk(message);
                delivered(publisher, c);
                receivers++;
            }
        }
        if (shard) return receivers;
        for (Map.Entry<Name, LinkedHashSet<Client>> e : patterns.entrySet()) {
            byte[] pattern = e.getKey().bytes();
            if (!Glob.matches(pattern, channel)) continue;
            for (Client c : e.getValue()) {
                Reply r = c.pushReply();
                r.push(4);
                r.bulk(PMESSAGE);
                r.bulk(pattern);
                r.bulk(channel);
                r.bulk(message);
                delivered(publisher, c);
                receivers++;
            }
        }
        return receivers;
    }

    /** Another client received a message: it is flushed after the publisher's turn. */
    private void delivered(Client publisher, Client c) {
        if (c == publisher) return; // its own reply goes out with PUBLISH's
        Subscriptions s = c.subscriptions();
        if (s.pendingFlush) return;
        s.pendingFlush = true;
        pending.add(c);
        if (!flushScheduled) {
            flushScheduled = true;
            server.executor().runOnContext(v -> flushPending());
        }
    }

    private void flushPending() {
        flushScheduled = false;
        // a flush may close a subscriber past its limit, which unsubscribes it: work on a copy
        Client[] batch = pending.toArray(new Client[0]);
        pending.clear();
        for (Client c : batch) {
            c.subscriptions().pendingFlush = false;
            if (!c.channel().closed()) c.channel().flush();
            else c.reply().truncate(0);
        }
    }
}
