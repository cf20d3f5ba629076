package dev.ebbtide.devsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.events.EventJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevTokensTest {
    @TempDir
    Path dir;

    @Test
    void theLocalKeyIsMadeOnceAndThePrivateHalfIsOwnerOnly() throws Exception {
        Path keys = dir.resolve("keys");
        Path pub = DevTokens.ensureKeys(keys);
        String first = Files.readString(pub);
        assertEquals(
                "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve("private.pem"))));
        DevTokens.ensureKeys(keys);
        assertEquals(first, Files.readString(pub), "a second start keeps the key, so issued tokens stay valid");
    }

    @Test
    void aLocalTokenVerifiesWithThePublicKeyAndCarriesRoleIssuerAudienceAndExpiry() throws Exception {
        Path keys = dir.resolve("keys");
        Path pub = DevTokens.ensureKeys(keys);
        String token = DevTokens.localToken(keys, "alice", Duration.ofHours(8), "submitter");
        String[] parts = token.split("\\.");
        assertEquals(3, parts.length);
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initVerify(publicKey(pub));
        s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(s.verify(Base64.getUrlDecoder().decode(parts[2])));
        JsonNode claims = EventJson.mapper().readTree(Base64.getUrlDecoder().decode(parts[1]));
        assertEquals("alice", claims.get("sub").asText());
        assertEquals("submitter", claims.get("groups").get(0).asText());
        assertEquals(DevTokens.LOCAL_ISSUER, claims.get("iss").asText());
        assertEquals(DevTokens.AUDIENCE, claims.get("aud").asText());
        assertEquals(8 * 3600, claims.get("exp").asLong() - claims.get("iat").asLong());

        s.initVerify(publicKey(pub));
        s.update((parts[0] + "." + parts[1] + "x").getBytes(StandardCharsets.US_ASCII));
        assertFalse(s.verify(Base64.getUrlDecoder().decode(parts[2])), "a changed token does not verify");
    }

    @Test
    void aTeamGoesIntoTheTeamClaimAndNoTeamMeansNoClaim() throws Exception {
        Path keys = dir.resolve("keys");
        DevTokens.ensureKeys(keys);
        JsonNode vision = claims(DevTokens.localTokenOfTeam(keys, "vera", Duration.ofHours(1), "vision", "submitter"));
        assertEquals("vision", vision.get("team").asText());
        JsonNode none = claims(DevTokens.localToken(keys, "nora", Duration.ofHours(1), "submitter"));
        assertFalse(none.has("team"), "the services give a token without a team the default team");
    }

    private static JsonNode claims(String token) throws Exception {
        return EventJson.mapper().readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
    }

    @Test
    void ttlsAreWrittenAsUsersSayThem() {
        assertEquals(Duration.ofHours(8), DevTokens.parseTtl("8h"));
        assertEquals(Duration.ofMinutes(30), DevTokens.parseTtl("30m"));
        assertEquals(Duration.ofDays(7), DevTokens.parseTtl("7d"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DevTokens.parseTtl("8 hours"));
        assertEquals("--ttl must look like 90s, 30m, 8h or 7d, not '8 hours'", e.getMessage());
    }

    private static PublicKey publicKey(Path pem) throws Exception {
        String base64 =
                Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA")
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }
}
