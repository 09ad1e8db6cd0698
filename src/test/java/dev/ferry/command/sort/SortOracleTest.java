package dev.ferry.command.sort;

import dev.ferry.support.FerryPort;
import dev.ferry.support.Oracle;
import dev.ferry.support.RedisPeer;

import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** SORT and SORT_RO against redis-server 7.0: the same commands on both, replies compared byte for byte. */
@QuarkusTest
class SortOracleTest {
    @RegisterExtension
    static final RedisPeer redis = new RedisPeer("--enable-debug-command", "local");

    @Test
    void optionsAndEdgeCasesMatchRedis() throws Exception {
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            for (int protocol : new int[] {2, 3}) {
                o.protocol(protocol);
                o.check("DEL", "so:l", "so:s", "so:z", "so:dst", "so:str", "so:h", "so:words", "so:big");
                o.check("RPUSH", "so:l", "3", "1", "2", "10", "-5", "2.5", "1e3", " 7");
                o.check("SADD", "so:s", "5", "3", "9", "1");
                o.check("ZADD", "so:z", "1", "c", "2", "b", "3", "a");
                o.check("RPUSH", "so:words", "pear", "apple", "fig", "Banana", "apple");
                o.check("SADD", "so:big", "x", "y", "z", "10", "2");
                for (String[] c : new String[][] {
                    {"SORT", "so:l"}, {"SORT", "so:l", "DESC"}, {"SORT", "so:l", "ASC", "DESC", "ASC"},
                    {"SORT", "so:l", "LIMIT", "1", "3"}, {"SORT", "so:l", "LIMIT", "-1", "3"}, {"SORT", "so:l", "LIMIT", "5", "-1"},
                    {"SORT", "so:l", "LIMIT", "20", "3"}, {"SORT", "so:l", "LIMIT", "0", "0"}, {"SORT", "so:l", "LIMIT", "x", "1"},
                    {"SORT", "so:l", "LIMIT", "1"}, {"SORT", "so:l", "ALPHA"}, {"SORT", "so:l", "ALPHA", "DESC", "LIMIT", "2", "2"},
                    {"SORT", "so:words"}, {"SORT", "so:words", "ALPHA"}, {"SORT", "so:words", "ALPHA", "DESC"},
                    {"SORT", "so:s"}, {"SORT", "so:s", "DESC", "LIMIT", "0", "2"}, {"SORT", "so:big", "ALPHA"},
                    {"SORT", "so:big"}, {"SORT", "so:z"}, {"SORT", "so:z", "ALPHA"}, {"SORT", "so:z", "BY", "nosort"},
                    {"SORT", "so:z", "BY", "nosort", "DESC"}, {"SORT", "so:z", "BY", "nosort", "LIMIT", "1", "5"},
                    {"SORT", "so:l", "BY", "nosort"}, {"SORT", "so:l", "BY", "nosort", "DESC", "LIMIT", "1", "2"},
                    {"SORT", "so:s", "BY", "nosort"}, {"SORT", "so:missing"}, {"SORT", "so:missing", "BY", "nosort", "STORE", "so:dst"},
                    {"SORT", "so:l", "nosuch"}, {"SORT", "so:l", "GET"}, {"SORT_RO", "so:l", "STORE", "so:dst"},
                    {"SORT_RO", "so:l", "DESC"}, {"SORT", "so:l", "STORE"},
                }) {
                    o.check(c);
                }
                // BY and GET patterns: strings, hash fields, missing keys (score 0, ties by element)
                o.check("MSET", "w_3", "30", "w_1", "10", "w_10", "5", "w_2", "-1", "name_1", "one", "name_3", "three");
                o.check("HSET", "h_1", "f", "9", "g", "uno");
                o.check("HSET", "h_2", "f", "1");
                o.check("HSET", "h_3", "f", "5", "g", "tres");
                o.check("SET", "so:str", "x");
                o.check("HSET", "so:h", "a", "1");
                for (String[] c : new String[][] {
                    {"SORT", "so:l", "BY", "w_*"}, {"SORT", "so:l", "BY", "w_*", "DESC"}, {"SORT", "so:l", "BY", "h_*->f"},
                    {"SORT", "so:l", "BY", "w_*", "GET", "#", "GET", "name_*", "GET", "h_*->g"},
                    {"SORT", "so:l", "BY", "w_*", "GET", "h_*->"}, {"SORT", "so:l", "BY", "w_*", "GET", "nostar"},
                    {"SORT", "so:s", "BY", "w_*", "LIMIT", "1", "2", "GET", "#"}, {"SORT", "so:s", "GET", "so:h*->a"},
                    {"SORT", "so:l", "BY", "name_*", "ALPHA"}, {"SORT", "so:z", "BY", "h_*->f", "GET", "h_*->g"},
                    {"SORT", "so:l", "BY", "so:str*"}, {"SORT", "so:str"}, {"SORT", "so:h"}, {"SORT_RO", "so:str"},
                    {"SORT", "so:words", "BY", "w_*"},
                }) {
                    o.check(c);
                }
                // STORE: a list, replacing what was there; an empty result deletes the destination
                o.check("SORT", "so:l", "STORE", "so:dst");
                o.check("LRANGE", "so:dst", "0", "-1");
                o.check("OBJECT", "ENCODING", "so:dst");
                o.check("SORT", "so:s", "BY", "nosort", "STORE", "so:dst");
                o.check("LRANGE", "so:dst", "0", "-1");
                o.check("SORT", "so:big", "BY", "nosort", "STORE", "so:dst");
                o.check("LRANGE", "so:dst", "0", "-1");
                o.check("SORT", "so:l", "BY", "w_*", "GET", "name_*", "STORE", "so:dst");
                o.check("LRANGE", "so:dst", "0", "-1");
                o.check("SET", "so:dst", "a string is replaced");
                o.check("SORT", "so:z", "STORE", "so:dst", "LIMIT", "0", "2");
                o.check("TYPE", "so:dst");
                o.check("SORT", "so:missing", "STORE", "so:dst");
                o.check("EXISTS", "so:dst");
                // SORT converts a listpack sorted set to a skiplist for good, even SORT_RO
                o.check("DEL", "so:z2");
                o.check("ZADD", "so:z2", "1", "x");
                o.check("OBJECT", "ENCODING", "so:z2");
                o.check("SORT_RO", "so:z2", "ALPHA");
                o.check("OBJECT", "ENCODING", "so:z2");
                o.check("DEBUG", "DIGEST-VALUE", "so:l", "so:s", "so:z", "so:z2", "so:dst");
                o.protocol(2);
                if (protocol == 3) {
                    o.ferry().call("HELLO", "2");
                    o.redis().call("HELLO", "2");
                }
            }
        }
    }

    /** Random lists and sets of numbers and words, random options; replies and stored results compared. */
    @Test
    void randomSortsMatchRedis() throws Exception {
        long seed = 20261201L;
        System.out.println("SortOracleTest seed " + seed);
        Random rnd = new Random(seed);
        String[] words = {"a", "b", "ab", "B", "zz", "10", "2", "-3", "4.5", "1e2", "x y", ""};
        try (Oracle o = new Oracle(FerryPort.get(), redis.port())) {
            for (int i = 0; i < 40; i++) o.check("SET", "rw_" + i, Integer.toString(rnd.nextInt(20) - 5));
            for (int step = 0; step < 600; step++) {
                String key = "rs:" + rnd.nextInt(3);
                o.checkStep(seed, step, "DEL", key);
                boolean numeric = rnd.nextBoolean();
                int n = rnd.nextInt(30);
                List<String> cmd = new ArrayList<>(List.of(rnd.nextBoolean() ? "RPUSH" : "SADD", key));
                for (int j = 0; j < n; j++) {
                    cmd.add(numeric ? Integer.toString(rnd.nextInt(40) - 5) : words[rnd.nextInt(words.length)]);
                }
                if (n > 0) o.checkStep(seed, step, cmd.toArray(String[]::new));
                List<String> sort = new ArrayList<>(List.of(rnd.nextInt(4) == 0 ? "SORT_RO" : "SORT", key));
                if (rnd.nextInt(3) == 0) sort.addAll(List.of("BY", "rw_*"));
                if (!numeric || rnd.nextInt(4) == 0) sort.add("ALPHA");
                if (rnd.nextBoolean()) sort.add("DESC");
                if (rnd.nextInt(3) == 0) sort.addAll(List.of("LIMIT", Integer.toString(rnd.nextInt(8) - 2), Integer.toString(rnd.nextInt(8) - 2)));
                if (rnd.nextInt(4) == 0) sort.addAll(List.of("GET", "#", "GET", "rw_*"));
                boolean store = sort.get(0).equals("SORT") && rnd.nextInt(3) == 0;
                if (store) sort.addAll(List.of("STORE", "rs:dst"));
                // BY with ALPHA over missing weights compares equal elements in an undefined order in Redis
                if (sort.contains("BY") && sort.contains("ALPHA")) sort.remove("ALPHA");
                o.checkStep(seed, step, sort.toArray(String[]::new));
                if (store) o.checkStep(seed, step, "LRANGE", "rs:dst", "0", "-1");
            }
            assertEquals(o.ferry().call("DEBUG", "DIGEST-VALUE", "rs:dst"), o.redis().call("DEBUG", "DIGEST-VALUE", "rs:dst"));
        }
    }
}
