package dev.ebbtide.devsupport;

import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SASL/SCRAM-SHA-256 passwords of the principals in {@link KafkaAccess}, and the Kafka client settings that use
 * them. Never log a value of {@link #clientConfig}: it holds a password.
 */
public final class KafkaCredentials {
    public static final String MECHANISM = "SCRAM-SHA-256";
    public static final String PROTOCOL = "SASL_PLAINTEXT";
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, String> passwords;

    public KafkaCredentials(Map<String, String> passwords) {
        for (String principal : KafkaAccess.principals()) {
            if (!passwords.containsKey(principal)) {
                throw new IllegalArgumentException("no Kafka password for principal " + principal);
            }
        }
        this.passwords = Map.copyOf(passwords);
    }

    /** Fresh random passwords for every principal. */
    public static KafkaCredentials generate() {
        Map<String, String> p = new LinkedHashMap<>();
        for (String principal : KafkaAccess.principals()) {
            p.put(principal, randomPassword());
        }
        return new KafkaCredentials(p);
    }

    /** 32 letters and digits (190 bits): safe inside JAAS quotes, kcat/librdkafka settings and shell words. */
    public static String randomPassword() {
        StringBuilder s = new StringBuilder(32);
        for (int i = 0; i < 32; i++) {
            s.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return s.toString();
    }

    public String password(String principal) {
        String p = passwords.get(principal);
        if (p == null) {
            throw new IllegalArgumentException("unknown Kafka principal " + principal);
        }
        return p;
    }

    public Map<String, String> passwords() {
        return passwords;
    }

    /** {@code sasl.jaas.config} for {@code principal}. */
    public String jaasConfig(String principal) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + principal
                + "\" password=\"" + password(principal) + "\";";
    }

    /** Kafka client settings (without bootstrap.servers) that authenticate as {@code principal}. */
    public Map<String, Object> clientConfig(String principal) {
        return Map.of(
                "security.protocol", PROTOCOL, "sasl.mechanism", MECHANISM, "sasl.jaas.config", jaasConfig(principal));
    }

    @Override
    public String toString() {
        return "KafkaCredentials" + passwords.keySet() + " (passwords hidden)";
    }
}
