package dev.ferry.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.ferry.config.FerryConfig;
import dev.ferry.support.FerryPort;
import dev.ferry.support.RawClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/ against the application, with no cluster and no Docker: every YAML file parses; every FERRY_* variable and
 * -Dferry.* flag is a setting of {@link FerryConfig} (found by reflection, so renaming a setting fails here, not in a
 * cluster); ports, probes, selectors and the memory limit agree with the image and the application; compose sets the
 * same settings and ports as the manifests; the Grafana dashboard queries only metrics a running Ferry exports.
 * Kustomize is not run: each kustomization's resources are read and its patches applied by a strategic merge reduced
 * to what deploy/ uses (maps merge, lists of named items merge by name).
 */
@QuarkusTest
class DeployManifestsTest {
    private static final Path DEPLOY = Path.of("deploy");
    private static final Path K8S = DEPLOY.resolve("k8s");
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STARTED = "/q/health/started", LIVE = "/q/health/live", READY = "/q/health/ready";
    /** What the JVM needs besides the heap: ~130 MB measured (NMT, 1 GB heap, under redis-benchmark), and room for bursts. */
    private static final long NON_HEAP_MIN = 512L << 20;
    /** A bootstrap downloads and loads the newest archived snapshot before /q/health/started is UP. */
    private static final int STARTUP_MIN_SECONDS = 30 * 60;

    @TestHTTPResource("/")
    URL root;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    // ---- the application's side

    /** Every ferry.* property name, from FerryConfig's methods, their @WithName and nested interfaces. */
    static Set<String> settings() {
        Set<String> out = new TreeSet<>();
        collect(FerryConfig.class, "ferry", out);
        return out;
    }

    private static void collect(Class<?> type, String prefix, Set<String> out) {
        for (Method m : type.getMethods()) {
            if (m.isDefault() || Modifier.isStatic(m.getModifiers()) || m.getParameterCount() != 0) continue;
            WithName n = m.getAnnotation(WithName.class);
            String name = m.isAnnotationPresent(WithParentName.class) ? prefix
                : prefix + "." + (n != null ? n.value() : kebab(m.getName()));
            Class<?> r = m.getReturnType();
            if (r.isInterface() && !r.getName().startsWith("java.")) collect(r, name, out);
            else out.add(name);
        }
    }

    /** SmallRye's default naming of a method without @WithName: protoMaxBulkLen -> proto-max-bulk-len. */
    private static String kebab(String method) {
        return method.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    /** SmallRye's environment name of a property: ferry.archive.s3.path-style -> FERRY_ARCHIVE_S3_PATH_STYLE. */
    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
    }

    static int respPort() throws Exception {
        return Integer.parseInt(FerryConfig.class.getMethod("port").getAnnotation(WithDefault.class).value());
    }

    static int httpPort() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of("src/main/resources/application.properties"))) {
            p.load(r);
        }
        return Integer.parseInt(p.getProperty("quarkus.http.port"));
    }

    // ---- deploy/'s side

    static List<Path> files(Path dir, String... suffixes) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                .filter(p -> Stream.of(suffixes).anyMatch(x -> p.getFileName().toString().endsWith(x)))
                .sorted().collect(Collectors.toList());
        }
    }

    static List<JsonNode> docs(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
            while (it.hasNext()) {
                JsonNode d = it.next();
                if (d != null && !d.isNull() && !d.isMissingNode()) out.add(d);
            }
        }
        return out;
    }

    /** The Dockerfile's instructions, continuation lines joined and comments dropped. */
    static List<String> dockerfile() throws IOException {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : Files.readAllLines(DEPLOY.resolve("Dockerfile"))) {
            if (line.stripLeading().startsWith("#")) continue;
            if (line.endsWith("\\")) {
                cur.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            cur.append(line);
            if (!cur.toString().isBlank()) out.add(cur.toString().strip());
            cur.setLength(0);
        }
        return out;
    }

    static List<String> instruction(String keyword) throws IOException {
        return dockerfile().stream().filter(l -> l.regionMatches(true, 0, keyword + " ", 0, keyword.length() + 1))
            .map(l -> l.substring(keyword.length() + 1).strip()).collect(Collectors.toList());
    }

    /** The ENTRYPOINT's exec form (a JSON array): what ImageCommandIT runs. */
    static List<String> entrypoint() throws IOException {
        List<String> e = instruction("ENTRYPOINT");
        assertEquals(1, e.size(), "one ENTRYPOINT");
        assertTrue(e.get(0).startsWith("["), "ENTRYPOINT in exec form (a JSON array), so java is PID 1: " + e.get(0));
        List<String> out = new ArrayList<>();
        for (JsonNode n : JSON.readTree(e.get(0))) out.add(n.asText());
        return out;
    }

    /** -XX:name=value of the ENTRYPOINT. */
    static String jvmOption(String name) throws IOException {
        return entrypoint().stream().filter(a -> a.startsWith("-XX:" + name + "="))
            .map(a -> a.substring(a.indexOf('=') + 1)).findFirst().orElse(null);
    }

    /** The heap's share of the container's memory, as the ENTRYPOINT sets it. */
    static double heapPercent() throws IOException {
        String max = jvmOption("MaxRAMPercentage");
        assertNotNull(max, "-XX:MaxRAMPercentage in the ENTRYPOINT");
        return Double.parseDouble(max);
    }

    static String dataDir() throws IOException {
        for (String env : instruction("ENV")) {
            Matcher m = Pattern.compile("FERRY_DIR[= ](\\S+)").matcher(env);
            if (m.find()) return m.group(1);
        }
        return entrypoint().stream().filter(a -> a.startsWith("-Dferry.dir=")).map(a -> a.substring(12)).findFirst()
            .orElseThrow(() -> new AssertionError("the image sets no ferry.dir"));
    }

    // ---- kustomize, reduced

    /** A kustomization's resources with its patches (and its bases') applied. */
    record Scope(Path dir, List<JsonNode> resources) {
        List<JsonNode> kind(String kind) {
            return resources.stream().filter(d -> kind.equals(d.path("kind").asText())).collect(Collectors.toList());
        }

        JsonNode named(String kind, String name) {
            return kind(kind).stream().filter(d -> name.equals(d.path("metadata").path("name").asText())).findFirst()
                .orElse(null);
        }

        List<JsonNode> workloads() {
            return resources.stream().filter(d -> Set.of("StatefulSet", "Deployment").contains(d.path("kind").asText()))
                .collect(Collectors.toList());
        }
    }

    static Scope scope(Path dir) throws IOException {
        Path k = dir.resolve("kustomization.yaml");
        assertTrue(Files.exists(k), k + " missing");
        JsonNode kust = docs(k).get(0);
        assertEquals("Kustomization", kust.path("kind").asText(), k.toString());
        List<JsonNode> resources = new ArrayList<>();
        for (JsonNode r : kust.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            assertTrue(Files.exists(p), k + " lists " + r.asText() + ", which does not exist");
            if (Files.isDirectory(p)) resources.addAll(scope(p).resources());
            else for (JsonNode d : docs(p)) resources.add(d.deepCopy());
        }
        for (JsonNode patch : kust.path("patches")) {
            Path p = dir.resolve(patch.path("path").asText()).normalize();
            assertTrue(Files.exists(p), k + " patches with " + p + ", which does not exist");
            for (JsonNode d : docs(p)) {
                String kind = d.path("kind").asText(), name = d.path("metadata").path("name").asText();
                JsonNode target = resources.stream().filter(r -> kind.equals(r.path("kind").asText())
                    && name.equals(r.path("metadata").path("name").asText())).findFirst().orElse(null);
                assertNotNull(target, p + " patches " + kind + " " + name + ", which " + k + " does not have");
                merge((ObjectNode) target, d);
            }
        }
        return new Scope(dir, resources);
    }

    /** Strategic merge as deploy/ needs it: maps merge, lists of named maps merge by name, other lists are replaced. */
    static void merge(ObjectNode into, JsonNode patch) {
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode old = into.get(f.getKey());
            JsonNode v = f.getValue();
            if (old instanceof ObjectNode o && v.isObject()) merge(o, v);
            else if (old instanceof ArrayNode a && v.isArray() && v.size() > 0 && v.get(0).has("name")) {
                for (JsonNode item : v) {
                    ObjectNode same = null;
                    for (JsonNode o : a) if (o.path("name").equals(item.path("name"))) same = (ObjectNode) o;
                    if (same != null) merge(same, item);
                    else a.add(item.deepCopy());
                }
            } else into.set(f.getKey(), v.deepCopy());
        }
    }

    static List<Scope> scopes() throws IOException {
        List<Scope> out = new ArrayList<>();
        for (Path k : files(K8S, "kustomization.yaml")) out.add(scope(k.getParent()));
        assertTrue(out.size() >= 2, "a base and overlays: " + out);
        return out;
    }

    static Scope scope(String overlay) throws IOException {
        return scope(K8S.resolve(overlay));
    }

    static JsonNode podSpec(JsonNode workload) {
        return workload.path("spec").path("template").path("spec");
    }

    static Map<String, String> podLabels(JsonNode workload) {
        return strings(workload.path("spec").path("template").path("metadata").path("labels"));
    }

    static Map<String, String> strings(JsonNode map) {
        Map<String, String> out = new TreeMap<>();
        map.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
    }

    /** Ferry's containers: the ones running the image of deploy/Dockerfile. */
    static List<JsonNode> ferryContainers(JsonNode workload) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode c : podSpec(workload).path("containers")) if (c.path("image").asText().startsWith("ferry")) out.add(c);
        return out;
    }

    static List<JsonNode> ferryWorkloads(Scope s) {
        return s.workloads().stream().filter(w -> !ferryContainers(w).isEmpty()).collect(Collectors.toList());
    }

    /** The environment a container gets: its env, then the keys of the ConfigMaps it takes whole (envFrom). */
    static Map<String, JsonNode> env(Scope s, JsonNode container) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode from : container.path("envFrom")) {
            String cm = from.path("configMapRef").path("name").asText();
            JsonNode map = s.named("ConfigMap", cm);
            assertNotNull(map, "envFrom names ConfigMap " + cm + ", which " + s.dir() + " does not have");
            map.path("data").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
        }
        for (JsonNode e : container.path("env")) out.put(e.path("name").asText(), e);
        return out;
    }

    static boolean isReplica(Scope s, JsonNode workload) {
        return ferryContainers(workload).stream().anyMatch(c -> env(s, c).containsKey("FERRY_REPLICAOF"));
    }

    // ---- the checks

    @Test
    void everyFileParses() throws Exception {
        List<Path> yaml = files(DEPLOY, ".yaml", ".yml");
        assertTrue(yaml.size() >= 10, "deploy/'s YAML: " + yaml);
        for (Path f : yaml) {
            List<JsonNode> docs = docs(f);
            assertFalse(docs.isEmpty(), f + " is empty");
            if (f.startsWith(K8S)) {
                for (JsonNode d : docs) {
                    assertFalse(d.path("apiVersion").asText().isEmpty(), f + ": a document without apiVersion");
                    assertFalse(d.path("kind").asText().isEmpty(), f + ": a document without kind");
                    if (!"Kustomization".equals(d.path("kind").asText())) {
                        assertFalse(d.path("metadata").path("name").asText().isEmpty(), f + ": a document without a name");
                    }
                }
            }
        }
        JsonNode dash = JSON.readTree(DEPLOY.resolve("grafana/ferry-dashboard.json").toFile());
        assertTrue(dash.path("panels").size() > 0, "the dashboard has panels");
    }

    /** Every kustomization applies (its files exist, its patches find their targets) and every manifest is used. */
    @Test
    void kustomizationsAreWhole() throws Exception {
        List<Scope> scopes = scopes();
        Set<Path> used = new TreeSet<>();
        for (Path k : files(K8S, "kustomization.yaml")) {
            used.add(k.normalize());
            JsonNode kust = docs(k).get(0);
            for (JsonNode r : kust.path("resources")) used.add(k.getParent().resolve(r.asText()).normalize());
            for (JsonNode p : kust.path("patches")) used.add(k.getParent().resolve(p.path("path").asText()).normalize());
        }
        for (Path f : files(K8S, ".yaml", ".yml")) {
            if (f.getFileName().toString().contains(".example.")) continue;
            assertTrue(used.contains(f.normalize()), f + " is in no kustomization (name it *.example.yaml if on purpose)");
        }
        for (Scope s : scopes) assertFalse(ferryWorkloads(s).isEmpty(), s.dir() + " runs no Ferry");
    }

    /** Renaming or removing a setting in FerryConfig fails here when deploy/ still uses the old name. */
    @Test
    void everyFerryVariableAndFlagIsASetting() throws Exception {
        Set<String> properties = settings();
        Set<String> envs = properties.stream().map(DeployManifestsTest::envName).collect(Collectors.toSet());
        assertTrue(properties.contains("ferry.archive.s3.path-style") && properties.contains("ferry.health.max-lag"),
            "the settings found by reflection: " + properties);
        Pattern env = Pattern.compile("(?<![A-Za-z0-9_])FERRY_[A-Z0-9_]+");
        Pattern flag = Pattern.compile("-D(ferry\\.[A-Za-z0-9.-]+)=");
        Map<String, String> unknown = new TreeMap<>();
        Set<String> seen = new TreeSet<>();
        List<Map.Entry<Path, String>> texts = new ArrayList<>();
        for (Path f : files(DEPLOY, ".yaml", ".yml")) {
            for (JsonNode d : docs(f)) for (String s : allStrings(d)) texts.add(Map.entry(f, s));
        }
        for (Path f : files(DEPLOY, ".env")) {
            for (String line : Files.readAllLines(f)) if (!line.startsWith("#")) texts.add(Map.entry(f, line));
        }
        for (String line : dockerfile()) texts.add(Map.entry(DEPLOY.resolve("Dockerfile"), line));
        for (Map.Entry<Path, String> t : texts) {
            Matcher m = env.matcher(t.getValue());
            while (m.find()) {
                seen.add(m.group());
                if (!envs.contains(m.group())) unknown.put(m.group(), t.getKey().toString());
            }
            m = flag.matcher(t.getValue());
            while (m.find()) {
                seen.add(m.group(1));
                if (!properties.contains(m.group(1))) unknown.put("-D" + m.group(1), t.getKey().toString());
            }
        }
        assertTrue(seen.contains("FERRY_REPLICAOF") && seen.contains("FERRY_DIR"), "deploy/'s settings: " + seen);
        assertTrue(unknown.isEmpty(), "not settings of FerryConfig (name: file): " + unknown);
    }

    static List<String> allStrings(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n.isTextual()) out.add(n.asText());
        else if (n.isContainerNode()) {
            n.fields().forEachRemaining(e -> out.add(e.getKey()));
            for (JsonNode c : n) out.addAll(allStrings(c));
        }
        return out;
    }

    @Test
    void theImageRunsWhatBinFerryRuns() throws Exception {
        List<String> cmd = entrypoint();
        int jar = cmd.indexOf("-jar");
        assertTrue(jar > 0 && jar == cmd.size() - 2 && cmd.get(jar + 1).endsWith("/quarkus-run.jar"),
            "the ENTRYPOINT ends with -jar <dir>/quarkus-run.jar: " + cmd);
        String appDir = cmd.get(jar + 1).substring(0, cmd.get(jar + 1).lastIndexOf('/') + 1);
        for (String part : List.of("lib/", "quarkus-run.jar", "app/", "quarkus/")) {
            assertTrue(instruction("COPY").stream().anyMatch(c -> c.matches(".*target/quarkus-app/" + part + "\\s+"
                + Pattern.quote(appDir) + ".*")), "the image copies target/quarkus-app/" + part + " to " + appDir);
        }
        assertTrue(cmd.contains("-Dferry.bind=0.0.0.0"), "RESP reachable on the pod's address: " + cmd);
        assertEquals(jvmOption("MaxRAMPercentage"), jvmOption("InitialRAMPercentage"), "a fixed heap, as bin/ferry's");
        assertEquals("100", jvmOption("MaxHeapFreeRatio"), "the heap is never given back, as bin/ferry's");
        double pct = heapPercent();
        assertTrue(pct >= 50 && pct <= 75, "an in-memory store's heap, with room for the rest: " + pct);
        Matcher gc = Pattern.compile("(?m)^default_gc=\"([^\"]+)\"").matcher(Files.readString(Path.of("bin/ferry")));
        assertTrue(gc.find(), "bin/ferry's default_gc");
        for (String flag : gc.group(1).split("\\s+")) assertTrue(cmd.contains(flag), "bin/ferry's GC flag " + flag + ": " + cmd);

        Matcher from = Pattern.compile("eclipse-temurin:(\\d+)-jre").matcher(String.join("\n", instruction("FROM")));
        assertTrue(from.find() && Integer.parseInt(from.group(1)) >= 21, "a Java 21+ runtime: " + instruction("FROM"));
        List<String> user = instruction("USER");
        assertFalse(user.isEmpty(), "a USER");
        String u = user.get(user.size() - 1).split(":")[0];
        assertFalse(u.equals("root") || u.equals("0"), "not root: " + u);
        Set<Integer> exposed = new TreeSet<>();
        for (String e : instruction("EXPOSE")) for (String p : e.split("\\s+")) exposed.add(Integer.parseInt(p.split("/")[0]));
        assertEquals(Set.of(respPort(), httpPort()), exposed, "EXPOSE the RESP and HTTP ports");
        String dir = dataDir();
        assertTrue(instruction("VOLUME").stream().anyMatch(v -> v.contains(dir)), "ferry.dir " + dir + " is a VOLUME");
    }

    @Test
    void containersPortsProbesAndMemoryMatchTheApplication() throws Exception {
        int resp = respPort(), http = httpPort();
        double pct = heapPercent();
        String dir = dataDir();
        for (Scope s : scopes()) {
            for (JsonNode w : ferryWorkloads(s)) {
                String where = s.dir() + " " + w.path("metadata").path("name").asText();
                assertTrue(selects(strings(w.path("spec").path("selector").path("matchLabels")), podLabels(w)),
                    where + ": its selector matches its pods");
                Map<String, String> ann = strings(w.path("spec").path("template").path("metadata").path("annotations"));
                assertEquals("true", ann.get("prometheus.io/scrape"), where);
                assertEquals(Integer.toString(http), ann.get("prometheus.io/port"), where);
                assertEquals("/q/metrics", ann.get("prometheus.io/path"), where);
                for (JsonNode c : ferryContainers(w)) {
                    Map<String, Integer> ports = new TreeMap<>();
                    for (JsonNode p : c.path("ports")) ports.put(p.path("name").asText(), p.path("containerPort").asInt());
                    Map<String, JsonNode> env = env(s, c);
                    Map<String, Integer> expected = new TreeMap<>(Map.of("resp", resp, "http", http));
                    if (env.containsKey("FERRY_TLS_PORT")) expected.put("tls", Integer.parseInt(value(env.get("FERRY_TLS_PORT"))));
                    assertEquals(expected, ports, where + ": container ports");
                    assertTlsFilesMounted(where, w, c, env);
                    probe(where, c, "startupProbe", STARTED, ports, http);
                    probe(where, c, "livenessProbe", LIVE, ports, http);
                    probe(where, c, "readinessProbe", READY, ports, http);
                    JsonNode startup = c.path("startupProbe");
                    int startupSeconds = startup.path("failureThreshold").asInt(3) * startup.path("periodSeconds").asInt(10);
                    assertTrue(startupSeconds >= STARTUP_MIN_SECONDS,
                        where + ": a bootstrap from S3 gets " + startupSeconds + " s, less than " + STARTUP_MIN_SECONDS);
                    JsonNode res = c.path("resources");
                    String limit = res.path("limits").path("memory").asText(null);
                    assertNotNull(limit, where + ": a memory limit (the heap is a share of it)");
                    assertEquals(limit, res.path("requests").path("memory").asText(), where + ": memory request = limit");
                    assertHeadroom(where, bytes(limit), pct);
                    boolean mounted = false;
                    for (JsonNode m : c.path("volumeMounts")) mounted |= dir.equals(m.path("mountPath").asText());
                    assertTrue(mounted, where + ": a volume at ferry.dir " + dir);
                    for (Map.Entry<String, JsonNode> e : env(s, c).entrySet()) {
                        JsonNode ref = e.getValue().path("valueFrom").path("secretKeyRef");
                        if (!ref.isMissingNode()) assertSecretExampleHas(ref, where + " " + e.getKey());
                    }
                }
            }
        }
    }

    /** An env value, from the container's env or from a ConfigMap it takes whole. */
    private static String value(JsonNode env) {
        return env.isTextual() ? env.asText() : env.path("value").asText();
    }

    /** Each ferry.tls-*-file lies in a directory where a Secret is mounted whole (a subPath mount never sees a renewal). */
    private static void assertTlsFilesMounted(String where, JsonNode workload, JsonNode container, Map<String, JsonNode> env) {
        for (String name : List.of("FERRY_TLS_CERT_FILE", "FERRY_TLS_KEY_FILE", "FERRY_TLS_CA_CERT_FILE")) {
            if (!env.containsKey(name)) continue;
            String file = value(env.get(name));
            boolean found = false;
            for (JsonNode m : container.path("volumeMounts")) {
                if (!m.path("subPath").isMissingNode() || !Path.of(file).getParent().equals(Path.of(m.path("mountPath").asText()))) continue;
                for (JsonNode v : podSpec(workload).path("volumes")) {
                    found |= v.path("name").equals(m.path("name")) && v.has("secret");
                }
            }
            assertTrue(found, where + ": " + name + "=" + file + " is in no directory where a Secret is mounted whole");
        }
    }

    private static void probe(String where, JsonNode container, String probe, String path, Map<String, Integer> ports,
                              int http) {
        JsonNode get = container.path(probe).path("httpGet");
        assertEquals(path, get.path("path").asText(), where + ": " + probe + " path");
        JsonNode port = get.path("port");
        int number = port.isInt() ? port.asInt() : ports.getOrDefault(port.asText(), -1);
        assertEquals(http, number, where + ": " + probe + " port " + port);
    }

    private static void assertHeadroom(String where, long limit, double heapPercent) {
        long rest = (long) (limit * (100 - heapPercent) / 100);
        assertTrue(rest >= NON_HEAP_MIN, where + ": a " + limit + "-byte limit with a " + heapPercent
            + "% heap leaves " + rest + " bytes for the rest of the JVM, less than " + NON_HEAP_MIN);
    }

    private static void assertSecretExampleHas(JsonNode ref, String where) throws IOException {
        JsonNode secret = null;
        for (Path f : files(K8S, ".example.yaml")) {
            for (JsonNode d : docs(f)) {
                if ("Secret".equals(d.path("kind").asText()) && ref.path("name").asText().equals(d.path("metadata").path("name").asText())) secret = d;
            }
        }
        assertNotNull(secret, where + ": no example of Secret " + ref.path("name").asText());
        String value = secret.path("stringData").path(ref.path("key").asText()).asText("");
        assertTrue(value.startsWith("CHANGE-ME"), where + ": the example Secret has key " + ref.path("key") + " as a placeholder");
    }

    /** Bytes of a Kubernetes quantity (4Gi, 512Mi, 4G) or a compose size (2g, 512m: binary units). */
    static long bytes(String q) {
        Matcher m = Pattern.compile("(\\d+(?:\\.\\d+)?)([A-Za-z]*)").matcher(q.strip());
        assertTrue(m.matches(), "a memory size: " + q);
        double n = Double.parseDouble(m.group(1));
        long unit = switch (m.group(2)) {
            case "", "b" -> 1L;
            case "Ki", "k", "kb" -> 1L << 10;
            case "Mi", "m", "mb" -> 1L << 20;
            case "Gi", "g", "gb" -> 1L << 30;
            case "Ti" -> 1L << 40;
            case "K" -> 1000L;
            case "M" -> 1000_000L;
            case "G" -> 1000_000_000L;
            default -> throw new AssertionError("a memory unit: " + q);
        };
        return (long) (n * unit);
    }

    /** Services, budgets and autoscalers select pods that exist; ferry-master the master, ferry-replicas the replicas. */
    @Test
    void servicesSelectThePodsTheyMean() throws Exception {
        int resp = respPort();
        for (Scope s : scopes()) {
            for (JsonNode svc : s.kind("Service")) {
                String where = s.dir() + " Service " + svc.path("metadata").path("name").asText();
                Map<String, String> sel = strings(svc.path("spec").path("selector"));
                List<JsonNode> pods = s.workloads().stream().filter(w -> selects(sel, podLabels(w))).collect(Collectors.toList());
                assertFalse(pods.isEmpty(), where + " selects no pods: " + sel);
                for (JsonNode p : svc.path("spec").path("ports")) {
                    String target = p.path("targetPort").asText(p.path("port").asText());
                    for (JsonNode w : pods) assertTrue(hasPort(w, target), where + ": " + w.path("metadata").path("name").asText()
                        + " has no port " + target);
                }
            }
            Map<String, Boolean> role = new TreeMap<>();
            for (JsonNode w : ferryWorkloads(s)) role.put(w.path("metadata").path("name").asText(), isReplica(s, w));
            assertTrue(role.containsValue(true) && role.containsValue(false), s.dir() + ": a master and replicas: " + role);
            assertRole(s, "ferry-master", false);
            assertRole(s, "ferry-replicas", true);
            for (JsonNode w : s.kind("StatefulSet")) {
                String name = w.path("spec").path("serviceName").asText();
                JsonNode svc = s.named("Service", name);
                assertNotNull(svc, s.dir() + ": StatefulSet's serviceName " + name + " is no Service");
                assertEquals("None", svc.path("spec").path("clusterIP").asText(), name + " is headless");
                assertTrue(selects(strings(svc.path("spec").path("selector")), podLabels(w)), name + " selects " + w.path("metadata").path("name"));
            }
            for (JsonNode w : ferryWorkloads(s)) {
                if (!isReplica(s, w)) continue;
                String[] replicaof = env(s, ferryContainers(w).get(0)).get("FERRY_REPLICAOF").path("value").asText().split("\\s+");
                assertEquals(2, replicaof.length, "FERRY_REPLICAOF is \"host port\"");
                JsonNode svc = s.named("Service", replicaof[0]);
                assertNotNull(svc, s.dir() + ": FERRY_REPLICAOF names " + replicaof[0] + ", no Service");
                for (JsonNode m : s.workloads()) {
                    if (selects(strings(svc.path("spec").path("selector")), podLabels(m))) {
                        assertFalse(isReplica(s, m), replicaof[0] + " selects only the master");
                    }
                }
                // over TLS (tls-replication yes) the link must reach the master's TLS port, else its plain one
                Map<String, JsonNode> env = env(s, ferryContainers(w).get(0));
                boolean tls = env.containsKey("FERRY_TLS_REPLICATION") && value(env.get("FERRY_TLS_REPLICATION")).equals("yes");
                List<String> targets = tls ? List.of("tls", value(env.get("FERRY_TLS_PORT"))) : List.of("resp", Integer.toString(resp));
                boolean port = false;
                for (JsonNode p : svc.path("spec").path("ports")) {
                    port |= p.path("port").asText().equals(replicaof[1]) && targets.contains(p.path("targetPort").asText());
                }
                assertTrue(port, s.dir() + ": " + replicaof[0] + " port " + replicaof[1] + " leads to " + targets.get(0));
            }
            for (String kind : List.of("PodDisruptionBudget")) {
                for (JsonNode b : s.kind(kind)) {
                    Map<String, String> sel = strings(b.path("spec").path("selector").path("matchLabels"));
                    assertTrue(s.workloads().stream().anyMatch(w -> selects(sel, podLabels(w))), s.dir() + " " + kind + " selects no pods");
                }
            }
            for (JsonNode h : s.kind("HorizontalPodAutoscaler")) {
                JsonNode ref = h.path("spec").path("scaleTargetRef");
                JsonNode target = s.named(ref.path("kind").asText(), ref.path("name").asText());
                assertNotNull(target, s.dir() + ": the autoscaler scales " + ref + ", which does not exist");
                assertTrue(isReplica(s, target), "the autoscaler scales the replicas");
            }
        }
    }

    private static void assertRole(Scope s, String service, boolean replicas) {
        JsonNode svc = s.named("Service", service);
        assertNotNull(svc, s.dir() + ": Service " + service);
        Map<String, String> sel = strings(svc.path("spec").path("selector"));
        for (JsonNode w : ferryWorkloads(s)) {
            if (selects(sel, podLabels(w))) {
                assertEquals(replicas, isReplica(s, w), service + " selects " + w.path("metadata").path("name").asText());
            }
        }
    }

    private static boolean hasPort(JsonNode workload, String port) {
        for (JsonNode c : podSpec(workload).path("containers")) {
            for (JsonNode p : c.path("ports")) {
                if (port.equals(p.path("name").asText()) || port.equals(p.path("containerPort").asText())) return true;
            }
        }
        return false;
    }

    /** compose.yaml runs what overlays/s3-static-keys runs: the same variables per role, the same container ports. */
    @Test
    void composeAgreesWithTheManifests() throws Exception {
        JsonNode compose = docs(DEPLOY.resolve("compose.yaml")).get(0);
        Scope k8s = scope("overlays/s3-static-keys");
        Map<Boolean, Set<String>> k8sEnv = new TreeMap<>();
        Set<Integer> k8sPorts = new TreeSet<>();
        for (JsonNode w : ferryWorkloads(k8s)) {
            for (JsonNode c : ferryContainers(w)) {
                Set<String> names = new TreeSet<>(env(k8s, c).keySet());
                Set<String> before = k8sEnv.putIfAbsent(isReplica(k8s, w), names);
                if (before != null) assertEquals(before, names, "workloads of one role set the same variables");
                for (JsonNode p : c.path("ports")) k8sPorts.add(p.path("containerPort").asInt());
            }
        }
        Map<String, Map<String, String>> ferries = new TreeMap<>();
        compose.path("services").fields().forEachRemaining(e -> {
            if (e.getValue().path("build").path("dockerfile").asText().equals("deploy/Dockerfile")) {
                ferries.put(e.getKey(), composeEnv(e.getValue()));
            }
        });
        assertEquals(3, ferries.size(), "a master and 2 replicas built from deploy/Dockerfile: " + ferries.keySet());
        JsonNode buildContext = compose.path("services").path(ferries.keySet().iterator().next()).path("build").path("context");
        assertEquals(Path.of("").toAbsolutePath(), DEPLOY.resolve(buildContext.asText()).toAbsolutePath().normalize(),
            "compose builds from the repository root, where target/quarkus-app is");
        int masters = 0;
        for (Map.Entry<String, Map<String, String>> f : ferries.entrySet()) {
            JsonNode svc = compose.path("services").path(f.getKey());
            boolean replica = f.getValue().containsKey("FERRY_REPLICAOF");
            if (!replica) masters++;
            assertEquals(k8sEnv.get(replica), new TreeSet<>(f.getValue().keySet()),
                f.getKey() + " sets the variables overlays/s3-static-keys sets for a " + (replica ? "replica" : "master"));
            Set<Integer> ports = new TreeSet<>();
            for (JsonNode p : svc.path("ports")) {
                String[] parts = p.asText().split(":");
                ports.add(Integer.parseInt(parts[parts.length - 1].split("/")[0]));
            }
            assertEquals(k8sPorts, ports, f.getKey() + ": container ports as the manifests'");
            if (replica) {
                String[] of = f.getValue().get("FERRY_REPLICAOF").split("\\s+");
                assertTrue(ferries.containsKey(of[0]) && !ferries.get(of[0]).containsKey("FERRY_REPLICAOF"),
                    f.getKey() + " follows a master of compose.yaml: " + of[0]);
                assertEquals(Integer.toString(respPort()), of[1], f.getKey() + " follows the RESP port");
            }
            String health = svc.path("healthcheck").path("test").toString();
            assertTrue(health.contains(READY) && health.contains("/" + httpPort() + " "),
                f.getKey() + "'s healthcheck asks " + READY + " on the HTTP port: " + health);
            assertHeadroom(f.getKey(), bytes(svc.path("mem_limit").asText("0")), heapPercent());
            Matcher bucket = Pattern.compile("s3://([^/]+)").matcher(f.getValue().getOrDefault("FERRY_ARCHIVE_URL", ""));
            assertTrue(bucket.find(), f.getKey() + " archives to S3");
            assertTrue(compose.path("services").toString().contains("mb --ignore-existing local/" + bucket.group(1)),
                "compose creates the bucket " + bucket.group(1));
            String endpoint = f.getValue().getOrDefault("FERRY_ARCHIVE_S3_ENDPOINT", "");
            assertTrue(compose.path("services").has(URI.create(endpoint).getHost()), "the S3 endpoint is a service: " + endpoint);
            assertEquals("true", f.getValue().get("FERRY_ARCHIVE_S3_PATH_STYLE"));
            assertEquals("when_required", f.getValue().get("FERRY_ARCHIVE_S3_CHECKSUM"));
        }
        assertEquals(1, masters, "one master");
    }

    /** A compose service's environment: its env_file, then its environment. */
    private static Map<String, String> composeEnv(JsonNode service) {
        Map<String, String> out = new TreeMap<>();
        List<JsonNode> envFiles = new ArrayList<>();
        if (service.path("env_file").isArray()) service.path("env_file").forEach(envFiles::add);
        else if (!service.path("env_file").isMissingNode()) envFiles.add(service.path("env_file"));
        for (JsonNode f : envFiles) {
            try {
                for (String line : Files.readAllLines(DEPLOY.resolve(f.asText()))) {
                    if (line.isBlank() || line.startsWith("#")) continue;
                    int eq = line.indexOf('=');
                    out.put(line.substring(0, eq), line.substring(eq + 1));
                }
            } catch (IOException e) {
                throw new AssertionError("env_file " + f.asText(), e);
            }
        }
        JsonNode env = service.path("environment");
        if (env.isObject()) env.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        else for (JsonNode e : env) {
            String[] kv = e.asText().split("=", 2);
            out.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        return out;
    }

    /** Sentinel watches the master by a name that resolves, and every Ferry announces its own name. */
    @Test
    void sentinelWatchesTheMasterByName() throws Exception {
        Scope s = scope("overlays/sentinel");
        JsonNode sentinels = s.workloads().stream().filter(w -> podSpec(w).path("containers").toString().contains("redis-sentinel"))
            .findFirst().orElseThrow(() -> new AssertionError("no redis-sentinel in overlays/sentinel"));
        int count = sentinels.path("spec").path("replicas").asInt();
        assertEquals(3, count, "three sentinels");
        String conf = null;
        for (JsonNode v : podSpec(sentinels).path("volumes")) {
            String cm = v.path("configMap").path("name").asText(null);
            if (cm != null) conf = s.named("ConfigMap", cm).path("data").path("sentinel.conf").asText(null);
        }
        assertNotNull(conf, "sentinel.conf in a ConfigMap the sentinels mount");
        List<String> lines = conf.lines().map(String::strip).collect(Collectors.toList());
        assertTrue(lines.contains("sentinel resolve-hostnames yes"), "names need resolve-hostnames: " + conf);
        assertTrue(lines.contains("sentinel announce-hostnames yes"), "names need announce-hostnames: " + conf);
        Matcher monitor = Pattern.compile("(?m)^sentinel monitor (\\S+) (\\S+) (\\d+) (\\d+)$").matcher(conf);
        assertTrue(monitor.find(), "sentinel monitor: " + conf);
        JsonNode master = ferryWorkloads(s).stream().filter(w -> !isReplica(s, w)).findFirst().orElseThrow();
        String host = master.path("metadata").path("name").asText() + "-0." + master.path("spec").path("serviceName").asText();
        assertEquals(host, monitor.group(2), "Sentinel watches the master pod by its stable name");
        assertEquals(Integer.toString(respPort()), monitor.group(3));
        int quorum = Integer.parseInt(monitor.group(4));
        assertTrue(quorum > count / 2 && quorum <= count, "a majority quorum: " + quorum + " of " + count);
        for (JsonNode w : ferryWorkloads(s)) {
            List<String> names = new ArrayList<>(env(s, ferryContainers(w).get(0)).keySet());
            JsonNode announce = env(s, ferryContainers(w).get(0)).get("FERRY_REPLICA_ANNOUNCE_IP");
            assertNotNull(announce, w.path("metadata").path("name") + " announces its name");
            assertEquals("$(POD_NAME)." + w.path("spec").path("serviceName").asText(), announce.path("value").asText());
            JsonNode pod = env(s, ferryContainers(w).get(0)).get("POD_NAME");
            assertEquals("metadata.name", pod.path("valueFrom").path("fieldRef").path("fieldPath").asText());
            assertTrue(names.indexOf("POD_NAME") < names.indexOf("FERRY_REPLICA_ANNOUNCE_IP"), "$(POD_NAME) defined before use");
        }
    }

    /** The probe and scrape paths the manifests and compose use are served by Ferry, with 200. */
    @Test
    void theProbedPathsAreServed() throws Exception {
        Set<String> paths = new TreeSet<>();
        Pattern p = Pattern.compile("/q/[a-z/]+");
        for (Path f : files(DEPLOY, ".yaml", ".yml")) {
            for (JsonNode d : docs(f)) for (String s : allStrings(d)) {
                Matcher m = p.matcher(s);
                while (m.find()) paths.add(m.group());
            }
        }
        assertTrue(paths.containsAll(Set.of(STARTED, LIVE, READY, "/q/metrics")), "deploy/'s paths: " + paths);
        for (String path : paths) assertEquals(200, get(path).statusCode(), path);
    }

    /** Every metric the dashboard queries is on a running Ferry's /q/metrics. */
    @Test
    void theDashboardQueriesExportedMetrics() throws Exception {
        JsonNode dash = JSON.readTree(DEPLOY.resolve("grafana/ferry-dashboard.json").toFile());
        Map<String, String> queried = new TreeMap<>();
        collectQueries(dash.path("panels"), queried);
        for (JsonNode v : dash.path("templating").path("list")) {
            Matcher m = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)").matcher(v.path("definition").asText()
                + " " + v.path("query").toString());
            while (m.find()) queried.put(m.group(1), "variable " + v.path("name").asText());
        }
        for (String area : List.of("ferry_commands_", "ferry_memory_", "ferry_clients_", "ferry_replication_offset",
            "ferry_replication_replica_lag", "ferry_rdb_", "ferry_archive_upload", "ferry_archive_consecutive_failures",
            "ferry_archive_stream_lag")) {
            assertTrue(queried.keySet().stream().anyMatch(m -> m.startsWith(area)), "the dashboard shows " + area + "*");
        }
        Set<String> exported = exportedMetrics();
        Map<String, String> missing = new TreeMap<>(queried);
        missing.keySet().removeAll(exported);
        assertTrue(missing.isEmpty(), "queried by the dashboard, not exported by Ferry (metric: panel): " + missing);
    }

    private static void collectQueries(JsonNode panels, Map<String, String> out) {
        for (JsonNode p : panels) {
            for (JsonNode t : p.path("targets")) {
                for (String m : metricsIn(t.path("expr").asText())) out.put(m, p.path("title").asText());
            }
            collectQueries(p.path("panels"), out);
        }
    }

    private static final Set<String> PROMQL_WORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
        "on", "ignoring", "group_left", "group_right", "inf", "nan", "Inf", "NaN");

    /** The metric names of a PromQL expression: its identifiers outside strings, label matchers, ranges and groupings. */
    static Set<String> metricsIn(String expr) {
        String s = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
            .replaceAll("\\{[^}]*\\}", " ")
            .replaceAll("\\[[^\\]]*\\]", " ")
            .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(s);
        while (m.find()) {
            int before = m.start() - 1, after = m.end();
            while (after < s.length() && s.charAt(after) == ' ') after++;
            if (after < s.length() && s.charAt(after) == '(') continue; // a function
            if (before >= 0 && (Character.isDigit(s.charAt(before)) || s.charAt(before) == '.' || s.charAt(before) == '$')) continue;
            if (PROMQL_WORDS.contains(m.group())) continue;
            out.add(m.group());
        }
        return out;
    }

    @Test
    void promqlNamesAreFoundAndNothingElse() {
        assertEquals(Set.of("a_total", "b"), metricsIn(
            "sum by (x, y) (rate(a_total{l=\"q{w}\",m=~\"$i\"}[$__rate_interval])) / on (z) group_left b > 1e3 and 1h"));
    }

    /**
     * Names on this Ferry's /q/metrics once every family has a series: a command has run, a GC has happened (the
     * test JVM is Ferry's), and a replica is attached (its lag rows exist only then).
     */
    private Set<String> exportedMetrics() throws Exception {
        int port = FerryPort.get();
        try (RawClient c = new RawClient(port)) {
            assertEquals("+PONG\r\n", c.call("PING"));
        }
        System.gc();
        String text;
        try (Socket replica = new Socket("127.0.0.1", port)) {
            replica.setSoTimeout(20_000);
            OutputStream out = replica.getOutputStream();
            InputStream in = replica.getInputStream();
            out.write(RawClient.encode(bytesOf("REPLCONF"), bytesOf("listening-port"), bytesOf(Integer.toString(replica.getLocalPort()))));
            out.flush();
            assertEquals("+OK", line(in));
            out.write(RawClient.encode(bytesOf("PSYNC"), bytesOf("?"), bytesOf("-1")));
            out.flush();
            String reply;
            do reply = line(in); while (reply.isEmpty()); // keepalive newlines while the master saves
            assertTrue(reply.startsWith("+FULLRESYNC"), reply);
            String offset = reply.split(" ")[2];
            do reply = line(in); while (reply.isEmpty());
            assertTrue(reply.startsWith("$"), reply);
            in.readNBytes(Integer.parseInt(reply.substring(1)));
            // online and acknowledged, as a real replica is once the snapshot is in
            out.write(RawClient.encode(bytesOf("REPLCONF"), bytesOf("ACK"), bytesOf(offset)));
            out.flush();
            long deadline = System.currentTimeMillis() + 10_000;
            do {
                text = get("/q/metrics").body();
                if (text.contains("ferry_replication_replica_lag_seconds{")) break;
                Thread.sleep(200);
            } while (System.currentTimeMillis() < deadline);
        } finally {
            Files.deleteIfExists(Path.of("target/test-data/dump.rdb"));
        }
        awaitNoReplicas(port);
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]").matcher(text);
        while (m.find()) names.add(m.group(1));
        assertTrue(names.contains("ferry_replication_replica_lag_seconds") && names.contains("jvm_gc_pause_seconds_max")
            && names.contains("ferry_commands_total"), "every family has a series: " + names);
        return names;
    }

    private static void awaitNoReplicas(int port) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        try (RawClient c = new RawClient(port)) {
            while (!c.call("INFO", "replication").contains("connected_slaves:0")) {
                assertTrue(System.currentTimeMillis() < deadline, "the test's replica was not dropped");
                Thread.sleep(50);
            }
        }
        Files.deleteIfExists(Path.of("target/test-data/dump.rdb"));
    }

    private static byte[] bytesOf(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** One line without its \r\n (a lone \n, a keepalive, is an empty line). */
    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) throw new IOException("closed after " + b);
            if (c != '\r') b.append((char) c);
        }
        return b.toString();
    }

    private HttpResponse<String> get(String path) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(root.toString()).resolve(path.substring(1)))
            .timeout(Duration.ofSeconds(10)).GET().build();
        return http.send(r, HttpResponse.BodyHandlers.ofString());
    }
}
