package dev.ebbtide.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-compose.yml against the Compose Specification's JSON schema, the one `docker compose config` validates with
 * (no Docker engine here, and Debian's docker-compose 1.29 predates the specification: it refuses {@code name:}). The
 * tool is dclint from the npm registry, which validates against that schema (rule {@code invalid-schema}) and also
 * refuses ports published on every interface ({@code no-unbound-port-interfaces}). Its style rules (key order,
 * quoting) are not errors; {@code no-build-and-image} is off because building an image and naming it is what this
 * file means by giving both.
 */
class ComposeFileValidationTest {
    static final String DCLINT = "dclint@3.1.0";
    private static final List<String> OFF = List.of("--disable-rule=no-build-and-image");

    @Test
    void theComposeSpecificationAcceptsTheFile() throws Exception {
        NpmTools.Run r = dclint(RepoConfig.composeFile());
        assertEquals(0, r.exit(), () -> "dclint found errors in " + ComposeFile.PATH + ":\n" + r.output());
    }

    @Test
    void theCheckCatchesWhatComposeWouldRefuse(@TempDir Path dir) throws Exception {
        // the same file with a key compose does not know, and with a port published on every interface
        String text = Files.readString(RepoConfig.composeFile());
        Path unknownKey = dir.resolve("unknown-key.yml");
        Files.writeString(
                unknownKey,
                text.replace(
                        "  postgres:\n    image: postgres:14\n",
                        "  postgres:\n    image: postgres:14\n    restart_policy: always\n"));
        NpmTools.Run schema = dclint(unknownKey);
        assertNotEquals(0, schema.exit(), schema.output());
        assertTrue(schema.output().contains("invalid-schema"), schema.output());

        Path everyInterface = dir.resolve("every-interface.yml");
        Files.writeString(everyInterface, text.replace("\"127.0.0.1:8081:8081\"", "\"8081:8081\""));
        NpmTools.Run port = dclint(everyInterface);
        assertNotEquals(0, port.exit(), port.output());
        assertTrue(port.output().contains("no-unbound-port-interfaces"), port.output());
    }

    private static NpmTools.Run dclint(Path file) throws Exception {
        Path tool = NpmTools.install("dclint-3.1.0", DCLINT).resolve("node_modules/.bin/dclint");
        List<String> cmd = new java.util.ArrayList<>(List.of(tool.toString(), file.toString(), "-q", "--color=false"));
        cmd.addAll(OFF);
        return NpmTools.run(cmd, RepoConfig.root(), 2);
    }
}
