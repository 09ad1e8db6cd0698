package dev.ferry.store;

import dev.ferry.protocol.Reply;

import java.util.Arrays;

/**
 * A Redis list: Redis 7.0's quicklist (OBJECT ENCODING "quicklist", RDB type 18 QUICKLIST_2), a doubly
 * linked chain of nodes, each holding a run of elements.
 *
 * <p>A node is a small mutable array of element byte arrays with free room at both ends (a gap buffer:
 * elements live in {@code items[start, start + count)}), so a push or a pop at either end of the list is
 * O(1) amortized and allocates nothing but the element it stores. Element arrays are never changed once
 * stored: they are the arrays of the command arguments that brought them (adopted, as every value adopts its
 * arguments) and replies copy straight from them.
 *
 * <p>Nodes are filled as Redis's quicklist fills them (_quicklistNodeAllowInsert of Redis 7.0): the fill
 * ({@code list-max-listpack-size} when the list was created, clamped to -5..32768 as quicklistSetFill does)
 * is either a positive number of entries per node (under the 8 KB safety limit) or a negative size class,
 * -1..-5 = 4/8/16/32/64 KB of listpack bytes per node. Each node tracks the bytes its elements would take
 * in a listpack ({@link Listpack#entryBytes}), so the snapshot writer can emit each node as one listpack of
 * about the size Redis would have written.
 *
 * <p>Every change goes through this class's methods. Snapshots (ARCHITECTURE.md rule 3): {@link #frozen} copies
 * the sequence of node references into a {@link ListCapture} and marks each node as held by it; every method
 * here that changes a node's elements, start, count or bytes first passes it through {@link #own}, which, for
 * a node held by a capture the writer has not released, puts a copy of the node in its place in the chain and
 * returns the copy (node-level copy-on-write: at most one node's references copied per changed node). Element
 * arrays are never changed, so the copy shares them. Unlinking a whole node (LTRIM, a pop that empties a node)
 * changes only links, which a capture does not read. With no snapshot the cost is one field test per node
 * changed.
 */
public final class ListValue implements Value {
    /** quicklist.c optimization_level: the listpack byte limits of fill -1..-5. */
    private static final int[] SIZE_LIMITS = {4096, 8192, 16384, 32768, 65536};
    /** SIZE_SAFETY_LIMIT: a node under a count fill never grows past this many bytes. */
    private static final int SIZE_SAFETY_LIMIT = 8192;
    /** FILL_MAX of quicklist.c. */
    private static final int FILL_MAX = 1 << 15;
    /** packed_threshold: elements of 1 GB or more take a plain node of their own in Redis. */
    private static final long PACKED_THRESHOLD = 1L << 30;
    /** A listpack's header (6 bytes) and EOF byte. */
    private static final int EMPTY_LISTPACK = 7;
    private static final int NEW_NODE_CAPACITY = 8;

    static final class Node {
        byte[][] items;
        int start;
        int count;
        /** The bytes of this node as a listpack (header, entries, EOF). */
        int bytes = EMPTY_LISTPACK;
        Node prev, next;
        /** The snapshot capture holding this node unchanged, until its writer releases it; else null. */
        ListCapture heldBy;

        Node(int capacity, boolean forHead) {
            items = new byte[capacity][];
            start = forHead ? capacity : 0;
        }

        byte[] get(int i) {
            return items[start + i];
        }
    }

    private final int fill;
    private Node head, tail;
    private long size;
    private int nodeCount;

    /** An empty list with the given list-max-listpack-size (the caller adds an element before storing it). */
    public ListValue(int listMaxListpackSize) {
        this.fill = listMaxListpackSize > FILL_MAX ? FILL_MAX : Math.max(listMaxListpackSize, -5);
    }

    @Override
    public String typeName() {
        return "list";
    }

    @Override
    public String encodingName() {
        return "quicklist";
    }

    @Override
    public int rdbType() {
        return RdbType.LIST_QUICKLIST_2;
    }

    @Override
    public int objectType() {
        return 1;
    }

    /** debug.c: every element mixed in, head to tail (integers as their text, which is what is stored). */
    @Override
    public void digest(Digest into) {
        for (Node n = head; n != null; n = n.next) {
            for (int i = 0; i < n.count; i++) into.mix(n.get(i));
        }
    }

    @Override
    public ListValue duplicate() {
        ListValue copy = new ListValue(fill);
        for (Node n = head; n != null; n = n.next) {
            Node c = new Node(Math.max(n.count, 1), false);
            System.arraycopy(n.items, n.start, c.items, 0, n.count);
            c.count = n.count;
            c.bytes = n.bytes;
            copy.linkAfter(copy.tail, c);
        }
        copy.size = size;
        return copy;
    }

    public long size() {
        return size;
    }

    /** How many nodes the quicklist has (DEBUG OBJECT's ql_nodes, tests). */
    public int nodeCount() {
        return nodeCount;
    }

    /** The nodes head to tail, each as a listpack; valid while the list is not changed. */
    public NodeCursor nodes() {
        return new NodeCursor(head);
    }

    /**
     * The list as a snapshot captures it: its nodes, each marked as held until the writer releases the capture
     * (see the class comment). O(nodes).
     */
    @Override
    public ListCapture frozen() {
        Node[] held = new Node[nodeCount];
        int i = 0;
        for (Node n = head; n != null; n = n.next) held[i++] = n;
        ListCapture c = new ListCapture(held);
        for (Node n : held) n.heldBy = c;
        return c;
    }

    /**
     * The node to change in place of n: n itself unless a snapshot capture still holds it, else a copy of n put
     * in its place in the chain. Every change to a node's contents goes through here first.
     */
    private Node own(Node n) {
        ListCapture holder = n.heldBy;
        if (holder == null) return n;
        if (holder.released()) {
            n.heldBy = null;
            return n;
        }
        Node c = new Node(n.items.length, false);
        System.arraycopy(n.items, n.start, c.items, n.start, n.count);
        c.start = n.start;
        c.count = n.count;
        c.bytes = n.bytes;
        // relink around n; n's own fields stay as the capture saw them
        c.prev = n.prev;
        c.next = n.next;
        if (n.prev != null) n.prev.next = c;
        else head = c;
        if (n.next != null) n.next.prev = c;
        else tail = c;
        return c;
    }

    /** One node's elements as a listpack, integers as integer entries (Redis's lpAppend). */
    static byte[] listpackOf(Node node) {
        Listpack lp = new Listpack();
        for (int i = 0; i < node.count; i++) lp.append(node.get(i));
        return lp.toBytes();
    }

    /**
     * Each node's elements as one listpack, laid out as Redis's lpAppend lays them (integers as integer entries):
     * the nodes of RDB type 18 (QUICKLIST_2, container PACKED) in snapshots and DUMP.
     */
    public static final class NodeCursor {
        private Node node;

        NodeCursor(Node first) {
            node = first;
        }

        public boolean hasNext() {
            return node != null;
        }

        public byte[] nextListpack() {
            byte[] lp = listpackOf(node);
            node = node.next;
            return lp;
        }
    }

    /** The list-max-listpack-size this list was created with, as clamped. */
    public int fill() {
        return fill;
    }

    // ---- fill rule ------------------------------------------------------------------------------------

    /** Redis 7.0's _quicklistNodeAllowInsert: whether one more element of {@code len} bytes fits the node. */
    private boolean allowInsert(Node n, int len) {
        if (n == null || len >= PACKED_THRESHOLD) return false;
        int overhead = len < 254 ? 1 : 5;
        overhead += len < 64 ? 1 : len < 16384 ? 2 : 5;
        long newSize = (long) n.bytes + len + overhead;
        if (fill < 0) return newSize <= SIZE_LIMITS[-fill - 1];
        if (newSize > SIZE_SAFETY_LIMIT) return false;
        return n.count < fill;
    }

    // ---- node plumbing --------------------------------------------------------------------------------

    private void linkAfter(Node at, Node n) {
        if (at == null) {
            n.prev = null;
            n.next = head;
            if (head != null) head.prev = n;
            head = n;
            if (tail == null) tail = n;
        } else {
            n.prev = at;
            n.next = at.next;
            if (at.next != null) at.next.prev = n;
            else tail = n;
            at.next = n;
        }
        nodeCount++;
    }

    private void unlink(Node n) {
        if (n.prev != null) n.prev.next = n.next;
        else head = n.next;
        if (n.next != null) n.next.prev = n.prev;
        else tail = n.prev;
        n.prev = n.next = null;
        nodeCount--;
    }

    /** Puts e at position off of node n (0..count), making room in its array. */
    private static void insertInNode(Node n, int off, byte[] e) {
        byte[][] a = n.items;
        if (off == 0 && n.start > 0) {
            a[--n.start] = e;
        } else if (n.start + n.count < a.length) {
            int at = n.start + off;
            System.arraycopy(a, at, a, at + 1, n.count - off);
            a[at] = e;
        } else if (n.start > 0) {
            System.arraycopy(a, n.start, a, n.start - 1, off);
            n.start--;
            a[n.start + off] = e;
        } else {
            // full: double, leaving the free room on the side the list grows towards
            int cap = Math.max(NEW_NODE_CAPACITY, a.length * 2);
            byte[][] b = new byte[cap][];
            int free = cap - n.count - 1;
            int newStart = off == 0 ? free : off == n.count ? 0 : free / 2;
            System.arraycopy(a, n.start, b, newStart, off);
            b[newStart + off] = e;
            System.arraycopy(a, n.start + off, b, newStart + off + 1, n.count - off);
            n.items = b;
            n.start = newStart;
        }
        n.count++;
        n.bytes += Listpack.entryBytes(e);
    }

    /** Removes the element at position off of node n; unlinks the node when it empties. */
    private void removeFromNode(Node n, int off) {
        byte[][] a = n.items;
        int at = n.start + off;
        byte[] e = a[at];
        if (off < n.count / 2) {
            System.arraycopy(a, n.start, a, n.start + 1, off);
            a[n.start++] = null;
        } else {
            System.arraycopy(a, at + 1, a, at, n.count - off - 1);
            a[n.start + n.count - 1] = null;
        }
        n.count--;
        n.bytes -= Listpack.entryBytes(e);
        size--;
        if (n.count == 0) unlink(n);
    }

    // ---- pushes and pops ------------------------------------------------------------------------------

    public void pushHead(byte[] e) {
        Node n = head;
        if (!allowInsert(n, e.length)) {
            n = new Node(NEW_NODE_CAPACITY, true);
            linkAfter(null, n);
        } else {
            n = own(n);
        }
        if (n.start > 0) {
            n.items[--n.start] = e;
            n.count++;
            n.bytes += Listpack.entryBytes(e);
        } else {
            insertInNode(n, 0, e);
        }
        size++;
    }

    public void pushTail(byte[] e) {
        Node n = tail;
        if (!allowInsert(n, e.length)) {
            n = new Node(NEW_NODE_CAPACITY, false);
            linkAfter(tail, n);
        } else {
            n = own(n);
        }
        int end = n.start + n.count;
        if (end < n.items.length) {
            n.items[end] = e;
            n.count++;
            n.bytes += Listpack.entryBytes(e);
        } else {
            insertInNode(n, n.count, e);
        }
        size++;
    }

    public void push(byte[] e, boolean toHead) {
        if (toHead) pushHead(e);
        else pushTail(e);
    }

    /** Removes and returns the first element; null when empty. */
    public byte[] popHead() {
        if (head == null) return null;
        Node n = own(head);
        byte[] e = n.items[n.start];
        n.items[n.start++] = null;
        n.count--;
        n.bytes -= Listpack.entryBytes(e);
        size--;
        if (n.count == 0) unlink(n);
        return e;
    }

    /** Removes and returns the last element; null when empty. */
    public byte[] popTail() {
        if (tail == null) return null;
        Node n = own(tail);
        int at = n.start + n.count - 1;
        byte[] e = n.items[at];
        n.items[at] = null;
        n.count--;
        n.bytes -= Listpack.entryBytes(e);
        size--;
        if (n.count == 0) unlink(n);
        return e;
    }

    public byte[] pop(boolean fromHead) {
        return fromHead ? popHead() : popTail();
    }

    // ---- positional access ----------------------------------------------------------------------------

    /** The node holding index (0 <= index < size), walking from the nearer end; its offset in {@code off[0]}. */
    private Node locate(long index, int[] off) {
        if (index <= size / 2) {
            Node n = head;
            long i = index;
            while (i >= n.count) {
                i -= n.count;
                n = n.next;
            }
            off[0] = (int) i;
            return n;
        }
        Node n = tail;
        long fromEnd = size - 1 - index;
        while (fromEnd >= n.count) {
            fromEnd -= n.count;
            n = n.prev;
        }
        off[0] = (int) (n.count - 1 - fromEnd);
        return n;
    }

    /** Turns a Redis index (negative from the end) into 0..size-1, or -1 when out of range. */
    private long normalize(long index) {
        if (index < 0) index += size;
        return index < 0 || index >= size ? -1 : index;
    }

    /** LINDEX: the element at a Redis index (negative counts from the tail); null when out of range. */
    public byte[] get(long index) {
        long i = normalize(index);
        if (i < 0) return null;
        int[] off = new int[1];
        Node n = locate(i, off);
        return n.get(off[0]);
    }

    /** LSET: replaces the element at a Redis index; false when out of range. */
    public boolean set(long index, byte[] e) {
        long i = normalize(index);
        if (i < 0) return false;
        int[] off = new int[1];
        Node n = own(locate(i, off));
        int at = n.start + off[0];
        int grown = n.bytes + Listpack.entryBytes(e) - Listpack.entryBytes(n.items[at]);
        if (n.count > 1 && grown > (fill < 0 ? SIZE_LIMITS[-fill - 1] : SIZE_SAFETY_LIMIT)) {
            // no longer fits its node: replaced as quicklistReplaceAtIndex does, by a delete and an insert
            removeFromNode(n, off[0]);
            insertAt(n, off[0], e);
            return true;
        }
        n.bytes = grown;
        n.items[at] = e;
        return true;
    }

    /**
     * LINSERT: puts e before or after the first element (from the head) equal to pivot; false when there
     * is no such element.
     */
    public boolean insertAtPivot(byte[] pivot, byte[] e, boolean after) {
        for (Node n = head; n != null; n = n.next) {
            for (int i = 0; i < n.count; i++) {
                if (Arrays.equals(n.get(i), pivot)) {
                    insertAt(n, after ? i + 1 : i, e);
                    return true;
                }
            }
        }
        return false;
    }

    /** Inserts at position off (0..count) of node n, filling neighbours or splitting as quicklist does. */
    private void insertAt(Node n, int off, byte[] e) {
        size++;
        if (allowInsert(n, e.length)) {
            insertInNode(own(n), off, e);
        } else if (off == n.count && allowInsert(n.next, e.length)) {
            insertInNode(own(n.next), 0, e);
        } else if (off == 0 && allowInsert(n.prev, e.length)) {
            Node p = own(n.prev);
            insertInNode(p, p.count, e);
        } else if (off == n.count || off == 0) {
            Node fresh = new Node(NEW_NODE_CAPACITY, off == 0);
            linkAfter(off == 0 ? n.prev : n, fresh);
            insertInNode(fresh, 0, e);
        } else {
            // split: the elements from off on move to a new node after n, e goes at n's end
            n = own(n);
            int moved = n.count - off;
            Node right = new Node(Math.max(NEW_NODE_CAPACITY, moved), false);
            for (int i = 0; i < moved; i++) {
                byte[] x = n.items[n.start + off + i];
                right.items[i] = x;
                right.bytes += Listpack.entryBytes(x);
                n.bytes -= Listpack.entryBytes(x);
                n.items[n.start + off + i] = null;
            }
            right.count = moved;
            n.count = off;
            linkAfter(n, right);
            if (allowInsert(n, e.length)) {
                insertInNode(n, off, e);
            } else {
                Node fresh = new Node(NEW_NODE_CAPACITY, false);
                linkAfter(n, fresh);
                insertInNode(fresh, 0, e);
            }
        }
    }

    /**
     * LREM: removes up to {@code count} elements equal to e, from the head when count > 0, from the tail
     * when count < 0, all when 0 (or Long.MIN_VALUE, whose negation stays negative, as in Redis); returns
     * how many were removed.
     */
    public long removeMatching(byte[] e, long count) {
        long removed = 0;
        if (count >= 0 || count == Long.MIN_VALUE) {
            long limit = count == Long.MIN_VALUE ? 0 : count;
            Node n = head;
            while (n != null) {
                Node next = n.next;
                for (int i = 0; i < n.count; ) {
                    if (Arrays.equals(n.get(i), e)) {
                        n = own(n);
                        removeFromNode(n, i);
                        removed++;
                        if (removed == limit) return removed;
                    } else {
                        i++;
                    }
                }
                n = next;
            }
        } else {
            long limit = -count;
            Node n = tail;
            while (n != null) {
                Node prev = n.prev;
                for (int i = n.count - 1; i >= 0; i--) {
                    if (Arrays.equals(n.get(i), e)) {
                        n = own(n);
                        removeFromNode(n, i);
                        removed++;
                        if (removed == limit) return removed;
                    }
                }
                n = prev;
            }
        }
        return removed;
    }

    /** Removes {@code n} elements from the head (n <= size). */
    public void removeHead(long n) {
        while (n > 0) {
            Node h = head;
            if (n >= h.count) {
                n -= h.count;
                size -= h.count;
                unlink(h);
            } else {
                h = own(h);
                int k = (int) n;
                for (int i = 0; i < k; i++) {
                    h.bytes -= Listpack.entryBytes(h.items[h.start]);
                    h.items[h.start++] = null;
                }
                h.count -= k;
                size -= k;
                n = 0;
            }
        }
    }

    /** Removes {@code n} elements from the tail (n <= size). */
    public void removeTail(long n) {
        while (n > 0) {
            Node t = tail;
            if (n >= t.count) {
                n -= t.count;
                size -= t.count;
                unlink(t);
            } else {
                t = own(t);
                int k = (int) n;
                for (int i = 0; i < k; i++) {
                    int at = t.start + t.count - 1;
                    t.bytes -= Listpack.entryBytes(t.items[at]);
                    t.items[at] = null;
                    t.count--;
                }
                size -= k;
                n = 0;
            }
        }
    }

    // ---- reading runs ---------------------------------------------------------------------------------

    /**
     * Writes {@code count} elements as bulk replies, from index {@code start} (0-based, in range) towards the
     * tail, or when {@code reverse} from index {@code start} towards the head. Straight from the element arrays.
     */
    public void replyRange(Reply reply, long start, long count, boolean reverse) {
        if (count <= 0) return;
        int[] off = new int[1];
        Node n = locate(start, off);
        int i = off[0];
        if (!reverse) {
            while (true) {
                byte[][] a = n.items;
                int base = n.start;
                int end = n.count;
                while (i < end) {
                    byte[] e = a[base + i++];
                    reply.bulk(e, 0, e.length);
                    if (--count == 0) return;
                }
                n = n.next;
                i = 0;
            }
        }
        while (true) {
            byte[][] a = n.items;
            int base = n.start;
            while (i >= 0) {
                byte[] e = a[base + i--];
                reply.bulk(e, 0, e.length);
                if (--count == 0) return;
            }
            n = n.prev;
            i = n.count - 1;
        }
    }

    /** Reads elements one by one from either end (LPOS); valid while the list is not changed. */
    public final class Cursor {
        private Node node;
        private int off;
        private final boolean forward;

        Cursor(boolean forward) {
            this.forward = forward;
            node = forward ? head : tail;
            off = forward || node == null ? 0 : node.count - 1;
        }

        public boolean hasNext() {
            return node != null;
        }

        public byte[] next() {
            byte[] e = node.get(off);
            if (forward) {
                if (++off == node.count) {
                    node = node.next;
                    off = 0;
                }
            } else if (--off < 0) {
                node = node.prev;
                if (node != null) off = node.count - 1;
            }
            return e;
        }
    }

    /** A cursor from the head (forward) or from the tail. */
    public Cursor cursor(boolean fromHead) {
        return new Cursor(fromHead);
    }
}
