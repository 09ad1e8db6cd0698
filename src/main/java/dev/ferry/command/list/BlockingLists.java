package dev.ferry.command.list;

import dev.ferry.engine.BlockedClients;
import dev.ferry.engine.Call;
import dev.ferry.engine.CommandTable;
import dev.ferry.protocol.Ascii;
import dev.ferry.store.Dict;
import dev.ferry.store.ListValue;

import java.util.Arrays;

import static dev.ferry.engine.CommandFlags.*;

/**
 * BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP (Redis 7.0's t_list.c and blocked.c). With data there they act as
 * their non-blocking forms and propagate as them (LPOP/RPOP key, LMOVE, RPOPLPUSH, LPOP/RPOP key count);
 * inside MULTI they never block (null when their keys are empty); otherwise the client blocks on its keys
 * through {@link BlockedClients}, and a waiter serves it when a key is added, propagating the pop it did
 * (LPOP/RPOP key, LMOVE src dst left|right left|right, RPOPLPUSH, LPOP/RPOP key count), as Redis 7.0's
 * serveClientBlockedOnList does. A timeout replies the null array, whatever the command.
 */
final class BlockingLists {
    private static final byte[] LEFT = Ascii.bytes("left");
    private static final byte[] RIGHT = Ascii.bytes("right");

    private final ListFamily lists;

    BlockingLists(ListFamily lists) {
        this.lists = lists;
    }

    void register(CommandTable t) {
        t.add("blpop", -3, WRITE | NOSCRIPT | BLOCKING, 1, -2, 1, "list", c -> bpop(c, true));
        t.add("brpop", -3, WRITE | NOSCRIPT | BLOCKING, 1, -2, 1, "list", c -> bpop(c, false));
        t.add("blmove", 6, WRITE | DENYOOM | NOSCRIPT | BLOCKING, 1, 2, 1, "list", this::blmove);
        t.add("brpoplpush", 4, WRITE | DENYOOM | NOSCRIPT | BLOCKING, 1, 2, 1, "list",
            c -> bmove(c, false, true, BlockedClients.parseTimeout(c.arg(3)), true));
        t.add("blmpop", -5, WRITE | BLOCKING | MOVABLE_KEYS, 0, 0, 0, "list", this::blmpop);
    }

    // ---- BLPOP / BRPOP ------------------------------------------------------------------------------------

    private void bpop(Call c, boolean head) {
        int argc = c.argc();
        long timeout = BlockedClients.parseTimeout(c.arg(argc - 1));
        for (int j = 1; j < argc - 1; j++) {
            byte[] key = c.arg(j);
            Dict.Entry e = ListFamily.writeEntry(c, key);
            if (e == null) continue;
            popOne(c, e, key, head);
            return;
        }
        if (!c.mayBlock()) {
            c.reply.nullArray();
            return;
        }
        c.block(Arrays.copyOfRange(c.argv(), 1, argc - 1), timeout, (call, key) -> {
            Dict.Entry e = call.db().lookupForWrite(key);
            if (e == null || !(e.value() instanceof ListValue)) return false;
            popOne(call, e, key, head);
            return true;
        });
    }

    /** Pops one element, replies [key, element], propagates LPOP/RPOP key. */
    private static void popOne(Call c, Dict.Entry e, byte[] key, boolean head) {
        ListValue l = (ListValue) e.value();
        byte[] v = l.pop(head);
        c.reply.array(2);
        c.reply.bulk(key);
        c.reply.bulk(v, 0, v.length);
        ListFamily.changed(c, e, l);
        c.keyspace().dirty(1);
        c.propagateAs(head ? ListFamily.LPOP_WORD : ListFamily.RPOP_WORD, key);
    }

    // ---- BLMOVE / BRPOPLPUSH ------------------------------------------------------------------------------

    private void blmove(Call c) {
        boolean from = ListFamily.side(c, 3);
        boolean to = ListFamily.side(c, 4);
        long timeout = BlockedClients.parseTimeout(c.arg(5));
        bmove(c, from, to, timeout, false);
    }

    private void bmove(Call c, boolean fromHead, boolean toHead, long timeout, boolean rpoplpush) {
        byte[] src = c.arg(1), dst = c.arg(2);
        Dict.Entry se = ListFamily.writeEntry(c, src);
        if (se != null) {
            ListFamily.moveOne(c, se, (ListValue) se.value(), dst, fromHead, toHead);
            if (rpoplpush) c.propagateAs(ListFamily.RPOPLPUSH_WORD, src, dst);
            else c.propagateAs(ListFamily.LMOVE_WORD, src, dst, c.arg(3), c.arg(4));
            return;
        }
        if (!c.mayBlock()) {
            c.reply.nullBulk();
            return;
        }
        c.block(new byte[][] {src}, timeout, (call, key) -> {
            Dict.Entry e = call.db().lookupForWrite(key);
            if (e == null || !(e.value() instanceof ListValue l)) return false;
            // a destination of another type answers WRONGTYPE, and the client is unblocked with it
            ListFamily.moveOne(call, e, l, dst, fromHead, toHead);
            if (rpoplpush) call.propagateAs(ListFamily.RPOPLPUSH_WORD, key, dst);
            else call.propagateAs(ListFamily.LMOVE_WORD, key, dst, fromHead ? LEFT : RIGHT, toHead ? LEFT : RIGHT);
            return true;
        });
    }

    // ---- BLMPOP -------------------------------------------------------------------------------------------

    private void blmpop(Call c) {
        long timeout = BlockedClients.parseTimeout(c.arg(1));
        ListFamily.MpopArgs a = ListFamily.parseMpop(c, 2);
        if (ListFamily.mpopFirstNonEmpty(c, a)) return;
        if (!c.mayBlock()) {
            c.reply.nullArray();
            return;
        }
        byte[][] keys = Arrays.copyOfRange(c.argv(), a.firstKey(), a.firstKey() + a.numKeys());
        c.block(keys, timeout, (call, key) -> {
            Dict.Entry e = call.db().lookupForWrite(key);
            if (e == null || !(e.value() instanceof ListValue)) return false;
            ListFamily.popWithKey(call, e, key, a.head(), a.count());
            return true;
        });
    }
}
