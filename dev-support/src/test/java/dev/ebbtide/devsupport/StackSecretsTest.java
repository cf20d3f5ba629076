package dev.ebbtide.devsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackSecretsTest {
    @TempDir
    Path dir;

    @Test
    void generatesPrivatePasswordsOnceAndReusesThem() throws Exception {
        Path secrets = dir.resolve("secrets");
        StackSecrets first = StackSecrets.loadOrCreate(secrets);
        StackSecrets again = StackSecrets.loadOrCreate(secrets);
        assertEquals(first.kafka().passwords(), again.kafka().passwords());
        assertEquals(first.postgresPassword(), again.postgresPassword());
        assertNotEquals(first.kafka().password(KafkaAccess.ADMIN), first.kafka().password(KafkaAccess.PRODUCER));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets)));
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets.resolve("passwords.properties"))));
        assertTrue(first.kafka().password(KafkaAccess.ADMIN).matches("[A-Za-z0-9]{32}"));
    }

    @Test
    void aNewPrincipalGetsAPasswordWithoutChangingTheOthers() throws Exception {
        Path secrets = dir.resolve("secrets");
        StackSecrets first = StackSecrets.loadOrCreate(secrets);
        Path file = secrets.resolve("passwords.properties");
        Files.writeString(file, Files.readString(file).replaceAll("(?m)^kafka\\.ebbtide-agent=.*\\n", ""));
        StackSecrets again = StackSecrets.loadOrCreate(secrets);
        assertEquals(first.kafka().password(KafkaAccess.ADMIN), again.kafka().password(KafkaAccess.ADMIN));
        assertNotEquals(first.kafka().password(KafkaAccess.AGENT), again.kafka().password(KafkaAccess.AGENT));
    }

    @Test
    void serviceConfigHoldsItsOwnPrincipalInAPrivateFile() throws Exception {
        StackSecrets s = StackSecrets.loadOrCreate(dir.resolve("secrets"));
        Path file = s.writeServiceConfig("scheduler", Map.of("quarkus.datasource.password", s.postgresPassword()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        assertEquals(s.kafka().jaasConfig("ebbtide-scheduler"), p.getProperty("kafka.sasl.jaas.config"));
        assertEquals("SASL_PLAINTEXT", p.getProperty("kafka.security.protocol"));
        assertEquals("SCRAM-SHA-256", p.getProperty("kafka.sasl.mechanism"));
        assertEquals(s.postgresPassword(), p.getProperty("quarkus.datasource.password"));
    }

    @Test
    void clientConfigFilesAreReadableBackAndPrivate() throws Exception {
        StackSecrets s = StackSecrets.loadOrCreate(dir.resolve("secrets"));
        Path file = s.writeClientConfig("producer", KafkaAccess.PRODUCER, "127.0.0.1:1");
        Map<String, Object> config = StackSecrets.readClientConfig(file);
        assertEquals("127.0.0.1:1", config.get("bootstrap.servers"));
        assertEquals(s.kafka().jaasConfig(KafkaAccess.PRODUCER), config.get("sasl.jaas.config"));
        Path kcat = dir.resolve("secrets/kcat-producer.conf");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(kcat)));
        assertTrue(Files.readString(kcat).contains("sasl.password=" + s.kafka().password(KafkaAccess.PRODUCER) + "\n"));
    }

    @Test
    void nodeAgentConfigIsInTheAgentsOwnFormWithItsPrincipal() throws Exception {
        StackSecrets s = StackSecrets.loadOrCreate(dir.resolve("secrets"));
        Path file = s.writeNodeAgentConfig("127.0.0.1:2");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        Map<String, Object> p = StackSecrets.readClientConfig(file);
        assertEquals("127.0.0.1:2", p.get("bootstrap.servers"));
        assertEquals("SASL_PLAINTEXT", p.get("kafka.security.protocol"));
        assertEquals("SCRAM-SHA-256", p.get("kafka.sasl.mechanism"));
        assertEquals(s.kafka().jaasConfig("ebbtide-agent"), p.get("kafka.sasl.jaas.config"));
    }

    @Test
    void credentialsNeverPrintTheirPasswords() throws Exception {
        StackSecrets s = StackSecrets.loadOrCreate(dir.resolve("secrets"));
        assertTrue(
                !s.kafka().toString().contains(s.kafka().password(KafkaAccess.ADMIN)),
                s.kafka().toString());
    }
}
