package dev.ferry.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ferry.support.Http;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The repository's openapi.yaml is the API: /q/openapi serves it (as YAML and as JSON) with the same paths,
 * methods and components; every operation it describes is served; and every JAX-RS endpoint under /api is in it.
 */
@QuarkusTest
class OpenApiAgreementTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TestHTTPResource("/")
    URL root;

    private static JsonNode repoFile() throws Exception {
        return YAML.readTree(Files.readString(java.nio.file.Path.of("openapi.yaml")));
    }

    @Test
    void theServedDescriptionIsTheRepositoryFile() throws Exception {
        Http http = new Http(root.toString());
        JsonNode file = repoFile();
        HttpResponse<String> yaml = http.get("/q/openapi");
        assertEquals(200, yaml.statusCode());
        HttpResponse<String> json = http.get("/q/openapi?format=json");
        assertEquals(200, json.statusCode());
        for (JsonNode served : new JsonNode[] {YAML.readTree(yaml.body()), Http.json(json)}) {
            assertEquals(file.get("paths"), served.get("paths"), "paths and methods differ from openapi.yaml");
            assertEquals(file.get("components"), served.get("components"), "components differ from openapi.yaml");
            assertEquals(file.get("info").get("title"), served.get("info").get("title"));
        }
    }

    /** Every operation of the file answers something other than 404 or 405 (with the token, where it needs one). */
    @Test
    void everyDescribedOperationIsServed() throws Exception {
        Http http = new Http(root.toString());
        JsonNode paths = repoFile().get("paths");
        int operations = 0;
        for (Iterator<String> it = paths.fieldNames(); it.hasNext(); ) {
            String path = it.next();
            for (Iterator<String> m = paths.get(path).fieldNames(); m.hasNext(); ) {
                String method = m.next().toUpperCase(Locale.ROOT);
                // {"host": null} keeps the shared Ferry a master
                String body = method.equals("GET") ? null : "{\"host\": null}";
                // a snapshot id that does not exist: the resource answers its own 404 (a problem of type
                // no-such-snapshot), which a missing route would not; the shared Ferry is neither saved nor restored
                String concrete = path.replace("{id}", "no-such-snapshot-id");
                if (method.equals("POST") && path.equals("/api/v1/snapshots")) {
                    operations += takeSnapshot(http);
                    continue;
                }
                if (method.equals("POST") && path.equals("/api/v1/restore")) {
                    // the shared Ferry has no archive: the resource answers its own 503 (a problem of type no-archive)
                    HttpResponse<String> r = http.send(method, path, "{\"to\": \"" + "a".repeat(40) + ":1\"}", AdminApiTest.TOKEN);
                    assertEquals(503, r.statusCode(), r.body());
                    assertTrue(r.body().contains("/no-archive\""), r.body());
                    operations++;
                    continue;
                }
                HttpResponse<String> r = http.send(method, concrete, body, AdminApiTest.TOKEN);
                if (!concrete.equals(path) && r.statusCode() == 404) {
                    assertTrue(r.body().contains("/no-such-snapshot\""), method + " " + path + ": " + r.body());
                } else {
                    assertNotEquals(404, r.statusCode(), method + " " + path + ": " + r.body());
                    assertNotEquals(405, r.statusCode(), method + " " + path + ": " + r.body());
                    assertTrue(r.statusCode() < 300, method + " " + path + ": " + r.statusCode() + " " + r.body());
                }
                operations++;
            }
        }
        assertEquals(7, operations);
    }

    /** POST /api/v1/snapshots: a BGSAVE of the shared Ferry, whose file is removed once written. */
    private static int takeSnapshot(Http http) throws Exception {
        HttpResponse<String> r = http.send("POST", "/api/v1/snapshots", null, AdminApiTest.TOKEN);
        assertEquals(202, r.statusCode(), r.body());
        try (dev.ferry.support.RawClient c = new dev.ferry.support.RawClient(dev.ferry.support.FerryPort.get())) {
            long deadline = System.currentTimeMillis() + 30_000;
            while (c.call("INFO", "persistence").contains("rdb_bgsave_in_progress:1")) {
                assertTrue(System.currentTimeMillis() < deadline, "the save did not end");
                Thread.sleep(20);
            }
        }
        java.nio.file.Files.deleteIfExists(java.nio.file.Path.of("target", "test-data", "dump.rdb"));
        return 1;
    }

    @Test
    void everyEndpointUnderApiIsDescribed() throws Exception {
        JsonNode paths = repoFile().get("paths");
        Set<String> described = new TreeSet<>();
        for (Iterator<String> it = paths.fieldNames(); it.hasNext(); ) {
            String path = it.next();
            paths.get(path).fieldNames().forEachRemaining(m -> described.add(m.toUpperCase(Locale.ROOT) + " " + path));
        }
        Set<String> served = endpoints();
        assertFalse(served.isEmpty());
        for (String e : served) {
            if (e.split(" ")[1].startsWith("/api/")) assertTrue(described.contains(e), e + " is not in openapi.yaml");
        }
    }

    /** "METHOD /path" of every resource method in the api package, from the compiled classes. */
    private static Set<String> endpoints() throws Exception {
        Set<String> out = new TreeSet<>();
        // the compiled classes on disk (the test class loader serves them from memory)
        String pkg = ReplicationResource.class.getPackageName();
        for (File f : new File("target/classes/" + pkg.replace('.', '/')).listFiles()) {
            String name = f.getName();
            if (!name.endsWith(".class") || name.contains("$")) continue;
            Class<?> c = Class.forName(pkg + "." + name.replace(".class", ""));
            Path base = c.getAnnotation(Path.class);
            if (base == null) continue;
            for (Method m : c.getDeclaredMethods()) {
                for (Annotation a : m.getAnnotations()) {
                    HttpMethod http = a.annotationType().getAnnotation(HttpMethod.class);
                    if (http == null) continue;
                    Path sub = m.getAnnotation(Path.class);
                    out.add(http.value() + " " + join(base.value(), sub == null ? "" : sub.value()));
                }
            }
        }
        return out;
    }

    private static String join(String a, String b) {
        String s = ("/" + a + "/" + b).replaceAll("/+", "/");
        return s.length() > 1 && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
