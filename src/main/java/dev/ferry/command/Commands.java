package dev.ferry.command;

import dev.ferry.command.client.ClientFamily;
import dev.ferry.command.connection.ConnectionFamily;
import dev.ferry.command.hll.HyperLogLogFamily;
import dev.ferry.command.hash.HashFamily;
import dev.ferry.command.introspection.IntrospectionFamily;
import dev.ferry.command.keys.DumpFamily;
import dev.ferry.command.keys.KeyFamily;
import dev.ferry.command.pubsub.PubSubFamily;
import dev.ferry.command.list.ListFamily;
import dev.ferry.command.replication.ReplicationFamily;
import dev.ferry.command.server.MonitorFamily;
import dev.ferry.command.server.PersistenceFamily;
import dev.ferry.command.server.ServerFamily;
import dev.ferry.command.set.SetFamily;
import dev.ferry.command.sort.SortFamily;
import dev.ferry.command.string.BitmapFamily;
import dev.ferry.command.string.StringFamily;
import dev.ferry.command.transaction.TransactionFamily;
import dev.ferry.command.zset.ZPopFamily;
import dev.ferry.command.zset.ZSetAlgebraFamily;
import dev.ferry.command.zset.ZSetFamily;
import dev.ferry.engine.CommandFamily;
import dev.ferry.engine.CommandTable;

import java.util.List;

/** The full command table: each family adds its own rows. Adding a family = one line here. */
public final class Commands {
    private Commands() {}

    static List<CommandFamily> families() {
        return List.of(
            new ConnectionFamily(),
            new ClientFamily(),
            new StringFamily(),
            new BitmapFamily(),
            new SetFamily(),
            new HyperLogLogFamily(),
            new HashFamily(),
            new ListFamily(),
            new KeyFamily(),
            new DumpFamily(),
            new PersistenceFamily(),
            new ReplicationFamily(),
            new SortFamily(),
            new ZSetFamily(),
            new ZPopFamily(),
            new ZSetAlgebraFamily(),
            new TransactionFamily(),
            new PubSubFamily(),
            new ServerFamily(),
            new MonitorFamily(),
            new IntrospectionFamily());
    }

    public static CommandTable table() {
        CommandTable t = new CommandTable();
        for (CommandFamily f : families()) f.register(t);
        return t;
    }
}
