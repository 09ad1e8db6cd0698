package dev.ferry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The packages form layers (docs/ARCHITECTURE.md): no package cycle, and the lower layers never reach up.
 * Reads the compiled classes with the JDK's jdeps, so it sees every reference the compiler kept.
 */
class PackageLayersTest {
    /** Packages (relative to dev.ferry) that each layer may not depend on. */
    private static final Map<String, List<String>> FORBIDDEN = Map.of(
        "protocol", List.of("store", "engine", "command", "server", "api"),
        "store", List.of("engine", "command", "server", "api", "rdb", "snapshot"),
        "rdb", List.of("snapshot", "engine", "command", "server", "api"),
        "snapshot", List.of("engine", "replication", "command", "server", "api"),
        "engine", List.of("replication", "command", "server", "api"),
        "replication", List.of("command", "server", "api"),
        "command", List.of("server", "api"),
        "archive", List.of("command", "server", "api"));

    @Test
    void packagesHaveNoCycleAndLayersPointDown() {
        Map<String, Set<String>> deps = dependencies();
        assertTrue(deps.size() >= 8, "jdeps saw the packages: " + deps.keySet());

        List<String> cycles = new ArrayList<>();
        for (String from : deps.keySet()) {
            for (String to : deps.get(from)) {
                if (reaches(deps, to, from)) cycles.add(from + " -> " + to);
            }
        }
        assertEquals(List.of(), cycles, "package edges inside a cycle");

        List<String> upward = new ArrayList<>();
        deps.forEach((from, tos) -> FORBIDDEN.forEach((layer, above) -> {
            if (!inLayer(from, layer)) return;
            for (String to : tos) for (String a : above) if (inLayer(to, a)) upward.add(from + " -> " + to);
        }));
        assertEquals(List.of(), upward, "a lower layer depends on a higher one");
    }

    private static boolean inLayer(String pkg, String layer) {
        return pkg.equals(layer) || pkg.startsWith(layer + ".");
    }

    private static boolean reaches(Map<String, Set<String>> deps, String from, String target) {
        Set<String> seen = new HashSet<>();
        List<String> todo = new ArrayList<>(List.of(from));
        while (!todo.isEmpty()) {
            String p = todo.remove(todo.size() - 1);
            if (p.equals(target)) return true;
            if (seen.add(p)) todo.addAll(deps.getOrDefault(p, Set.of()));
        }
        return false;
    }

    /** package -> packages it uses, both relative to dev.ferry, self-edges dropped. */
    private static Map<String, Set<String>> dependencies() {
        Path classes = Path.of("target", "classes");
        assertTrue(Files.isDirectory(classes.resolve("dev/ferry")), "compiled classes under " + classes.toAbsolutePath());
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("the JDK has no jdeps"));
        StringWriter out = new StringWriter();
        int rc = jdeps.run(new PrintWriter(out), new PrintWriter(out), "-verbose:package", "-filter:none", classes.toString());
        assertEquals(0, rc, out.toString());
        Map<String, Set<String>> deps = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 3 || !f[1].equals("->") || !f[0].startsWith("dev.ferry.") || !f[2].startsWith("dev.ferry.")) continue;
            String from = f[0].substring("dev.ferry.".length()), to = f[2].substring("dev.ferry.".length());
            if (!from.equals(to)) deps.computeIfAbsent(from, k -> new TreeSet<>()).add(to);
        }
        return deps;
    }
}
