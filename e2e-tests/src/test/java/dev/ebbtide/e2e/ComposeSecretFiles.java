package dev.ebbtide.e2e;

import dev.ebbtide.devsupport.ComposeSecrets;
import dev.ebbtide.devsupport.StackSecrets;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * docker-compose.yml's secrets for a test: the files {@code ./ebbtide compose-secrets} writes, in a temporary
 * directory that stands for the containers' {@code /run/secrets/} (each secret is named as its file).
 */
final class ComposeSecretFiles {
    static final String MOUNT = ComposeSecrets.MOUNT;

    private ComposeSecretFiles() {}

    /** Writes fresh secrets under {@code dir} and returns the directory that holds the files. */
    static Path write(Path dir) throws IOException {
        return ComposeSecrets.write(StackSecrets.loadOrCreate(dir.resolve("secrets")));
    }

    /** A properties file of the secrets as a Kafka client map. */
    static Map<String, Object> clientConfig(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        Map<String, Object> config = new LinkedHashMap<>();
        p.forEach((k, v) -> config.put((String) k, v));
        return config;
    }
}
