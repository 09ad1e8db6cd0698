package dev.ferry.store;

/**
 * A list as a snapshot captures it: the sequence of its nodes at the key's barrier (O(nodes), about 10k
 * references for 10M short elements), each node marked as held by this capture. The list never changes a held
 * node: every path that would ({@link ListValue}'s pushes, pops, LSET, LINSERT, LREM, LTRIM, splits) first puts
 * a copy of the node in its place in the live chain and changes the copy (node-level copy-on-write), so the
 * captured nodes keep the elements they had at the capture. The writer thread turns each node into one listpack
 * (RDB type 18, QUICKLIST_2), then {@link #release}s the nodes: from then on the live list may change them in
 * place again.
 *
 * <p>Threads: made on the executing loop before the key's chunk is queued for the writer (the queue orders the
 * node contents before the writer's reads); released by the writer through a volatile flag, which the loop
 * reads before changing a node it still holds.
 */
public final class ListCapture implements Frozen {
    private final ListValue.Node[] nodes;
    private final long bytes;
    private volatile boolean released;

    ListCapture(ListValue.Node[] nodes) {
        this.nodes = nodes;
        long b = 16L * nodes.length;
        for (ListValue.Node n : nodes) b += n.bytes;
        this.bytes = b;
    }

    @Override
    public int rdbType() {
        return RdbType.LIST_QUICKLIST_2;
    }

    /** How many nodes the list had: the QUICKLIST_2 node count. */
    public int nodeCount() {
        return nodes.length;
    }

    /** Node i's elements as one listpack, as Redis's lpAppend lays them out (writer thread). */
    public byte[] listpack(int i) {
        return ListValue.listpackOf(nodes[i]);
    }

    /** The writer is done with the nodes: the live list may change them in place again. */
    public void release() {
        released = true;
    }

    boolean released() {
        return released;
    }

    /** The node references and the listpack bytes of the nodes it holds (old versions once the list changes). */
    @Override
    public long approximateBytes() {
        return bytes;
    }
}
