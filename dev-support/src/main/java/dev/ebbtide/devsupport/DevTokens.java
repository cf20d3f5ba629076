package dev.ebbtide.devsupport;

import dev.ebbtide.common.events.EventJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Signing key and bearer tokens (RS256 JWT) for the local stack and tests, with plain JDK crypto. Production tokens
 * come from an identity provider (Entra ID, Keycloak); the services only verify. {@code ./ebbtide token --role R}
 * runs {@link #main}.
 */
public final class DevTokens {
    /** Issuer of the local stack's tokens ({@code mp.jwt.verify.issuer}). */
    public static final String LOCAL_ISSUER = "https://ebbtide.local/issuer";
    /** Audience of the local stack's tokens ({@code mp.jwt.verify.audiences}). */
    public static final String AUDIENCE = "ebbtide";
    /** Issuer the services' {@code %test} profile expects; tokens signed with {@link #testKey()}. */
    public static final String TEST_ISSUER = "https://ebbtide.test/issuer";

    private static final String TEST_PRIVATE_KEY = "/test-jwt/private.pem";

    private DevTokens() {}

    /** What goes into a token; {@code team} (claim {@code team}) may be null: the token names no team. */
    public record Claims(
            String issuer,
            String audience,
            String subject,
            List<String> roles,
            Instant issuedAt,
            Duration ttl,
            String team) {
        public Claims(
                String issuer, String audience, String subject, List<String> roles, Instant issuedAt, Duration ttl) {
            this(issuer, audience, subject, roles, issuedAt, ttl, null);
        }

        public Claims withIssuer(String other) {
            return new Claims(other, audience, subject, roles, issuedAt, ttl, team);
        }
    }

    /** Creates {@code dir/private.pem} (owner-only) and {@code dir/public.pem} unless they exist; returns the public key file. */
    public static Path ensureKeys(Path dir) throws IOException {
        Path priv = dir.resolve("private.pem");
        Path pub = dir.resolve("public.pem");
        if (Files.exists(priv) && Files.exists(pub)) {
            return pub;
        }
        Files.createDirectories(dir);
        KeyPair pair = newKeyPair();
        Files.deleteIfExists(priv);
        Files.createFile(priv, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(priv, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        Files.writeString(pub, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        return pub;
    }

    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an RSA key pair", e);
        }
    }

    public static PrivateKey readPrivateKey(Path pem) throws IOException {
        return parsePrivateKey(Files.readString(pem));
    }

    /** The private half of the key the services trust in their {@code %test} profile (a test fixture, never deployed). */
    public static PrivateKey testKey() {
        try (InputStream in = DevTokens.class.getResourceAsStream(TEST_PRIVATE_KEY)) {
            return parsePrivateKey(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + TEST_PRIVATE_KEY, e);
        }
    }

    /** A valid token for the services' {@code %test} profile. */
    public static String testToken(String subject, String... roles) {
        return sign(testKey(), testClaims(subject, roles));
    }

    /** A test token whose {@code team} claim names {@code team}. */
    public static String testTokenOfTeam(String subject, String team, String... roles) {
        return sign(
                testKey(),
                new Claims(TEST_ISSUER, AUDIENCE, subject, List.of(roles), Instant.now(), Duration.ofHours(1), team));
    }

    public static Claims testClaims(String subject, String... roles) {
        return new Claims(TEST_ISSUER, AUDIENCE, subject, List.of(roles), Instant.now(), Duration.ofHours(1));
    }

    /** Tokens the services' {@code %test} profile must refuse with 401, by what is wrong with them. */
    public static Map<String, String> refusedTestTokens() {
        Claims good = testClaims("mallory", "operator");
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("bad signature", sign(newKeyPair().getPrivate(), good));
        refused.put(
                "expired",
                sign(
                        testKey(),
                        new Claims(
                                TEST_ISSUER,
                                AUDIENCE,
                                "mallory",
                                List.of("operator"),
                                Instant.now().minus(Duration.ofHours(2)),
                                Duration.ofHours(1))));
        refused.put("wrong issuer", sign(testKey(), good.withIssuer("https://elsewhere.example/issuer")));
        refused.put(
                "wrong audience",
                sign(
                        testKey(),
                        new Claims(
                                TEST_ISSUER,
                                "someone-else",
                                "mallory",
                                List.of("operator"),
                                Instant.now(),
                                Duration.ofHours(1))));
        refused.put("not a JWT", "not-a-token");
        return refused;
    }

    /** A token from the local stack's key in {@code keysDir}. */
    public static String localToken(Path keysDir, String subject, Duration ttl, String... roles) throws IOException {
        return localTokenOfTeam(keysDir, subject, ttl, null, roles);
    }

    /** A token from the local stack's key whose {@code team} claim names {@code team} (none if null). */
    public static String localTokenOfTeam(Path keysDir, String subject, Duration ttl, String team, String... roles)
            throws IOException {
        return sign(
                readPrivateKey(keysDir.resolve("private.pem")),
                new Claims(LOCAL_ISSUER, AUDIENCE, subject, List.of(roles), Instant.now(), ttl, team));
    }

    public static String sign(PrivateKey key, Claims c) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("iss", c.issuer());
        body.put("aud", c.audience());
        body.put("sub", c.subject());
        body.put("upn", c.subject());
        body.put("groups", c.roles());
        if (c.team() != null) {
            body.put("team", c.team());
        }
        body.put("iat", c.issuedAt().getEpochSecond());
        body.put("exp", c.issuedAt().plus(c.ttl()).getEpochSecond());
        body.put("jti", UUID.randomUUID().toString());
        String signingInput = b64(json(Map.of("alg", "RS256", "typ", "JWT"))) + "." + b64(json(body));
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key);
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
    }

    /** {@code 90s}, {@code 30m}, {@code 8h}, {@code 7d}. */
    public static Duration parseTtl(String text) {
        if (!text.matches("\\d+[smhd]")) {
            throw new IllegalArgumentException("--ttl must look like 90s, 30m, 8h or 7d, not '" + text + "'");
        }
        long n = Long.parseLong(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /**
     * {@code ./ebbtide token --role R [--team T] [--subject NAME] [--ttl 8h]}: prints a token signed with the local stack's key
     * ({@code args[0]} is the key directory), creating the key if there is none yet.
     */
    public static void main(String[] args) throws IOException {
        Path keys = Path.of(args.length > 0 ? args[0] : ".ebbtide/keys");
        String role = null;
        String subject = System.getProperty("user.name", "local-user");
        Duration ttl = Duration.ofHours(8);
        String team = null;
        try {
            for (int i = 1; i < args.length; i += 2) {
                String value = i + 1 < args.length ? args[i + 1] : "";
                switch (args[i]) {
                    case "--role" -> role = value;
                    case "--subject" -> subject = value;
                    case "--ttl" -> ttl = parseTtl(value);
                    case "--team" -> team = value;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (role == null || !List.of("submitter", "operator", "viewer").contains(role)) {
                throw new IllegalArgumentException("--role must be submitter, operator or viewer");
            }
            if (team != null) {
                java.util.Optional<String> bad = dev.ebbtide.common.teams.Teams.nameProblem("--team", team);
                if (bad.isPresent()) {
                    throw new IllegalArgumentException(bad.get());
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(
                    "usage: ./ebbtide token --role submitter|operator|viewer [--team NAME] [--subject NAME] [--ttl 8h]");
            System.exit(2);
            return;
        }
        ensureKeys(keys); // the first ./ebbtide up or token creates the local key
        System.out.println(localTokenOfTeam(keys, subject, ttl, team, role));
    }

    private static PrivateKey parsePrivateKey(String pem) {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("not a PKCS#8 RSA private key in PEM form", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static byte[] json(Object value) {
        try {
            return EventJson.mapper().writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
