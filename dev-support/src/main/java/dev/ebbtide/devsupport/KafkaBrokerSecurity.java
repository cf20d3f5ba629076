package dev.ebbtide.devsupport;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;

/**
 * The settings of a secured {@link EmbeddedKafka}: a SASL_PLAINTEXT client listener with SCRAM-SHA-256 (credentials
 * stored in the cluster metadata at format time; PLAIN too, for old librdkafka clients), the controller listener with SASL PLAIN for the broker's own
 * principal only, the KRaft {@code StandardAuthorizer} denying whatever no ACL allows, and {@link KafkaAccess}'s ACLs.
 */
final class KafkaBrokerSecurity {
    private static final String SCRAM_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule";
    private static final String PLAIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** @param tls null = SASL_PLAINTEXT; else SASL_SSL with this key store */
    static Map<String, String> brokerSettings(
            KafkaCredentials credentials,
            String bindHost,
            String advertisedHost,
            int brokerPort,
            int controllerPort,
            EmbeddedKafka.Tls tls) {
        String broker = KafkaAccess.BROKER;
        String password = credentials.password(broker);
        String listener = tls == null ? "SASL_PLAINTEXT" : "SASL_SSL";
        String prefix = "listener.name." + listener.toLowerCase() + ".";
        Map<String, String> p = new LinkedHashMap<>();
        p.put(
                "listeners",
                listener + "://" + bindHost + ":" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", listener + "://" + advertisedHost + ":" + brokerPort);
        p.put("listener.security.protocol.map", listener + ":" + listener + ",CONTROLLER:SASL_PLAINTEXT");
        p.put("inter.broker.listener.name", listener);
        if (tls != null) {
            p.put(prefix + "ssl.keystore.type", "PKCS12");
            p.put(prefix + "ssl.keystore.location", tls.keystore().toString());
            p.put(prefix + "ssl.keystore.password", tls.password());
            p.put(prefix + "ssl.truststore.type", "PEM");
            p.put(prefix + "ssl.truststore.location", tls.caCertificate().toString());
        }
        // PLAIN beside SCRAM for librdkafka < 2.6.1 (kcat 1.7 on Debian 12): its SCRAM fails against Kafka 4.x
        p.put("sasl.enabled.mechanisms", KafkaCredentials.MECHANISM + ",PLAIN");
        StringBuilder plainUsers = new StringBuilder();
        credentials
                .passwords()
                .forEach((user, pw) -> plainUsers
                        .append(" user_")
                        .append(user)
                        .append("=\"")
                        .append(pw)
                        .append('"'));
        p.put(
                prefix + "plain.sasl.jaas.config",
                PLAIN_MODULE + " required username=\"" + broker + "\" password=\"" + password + "\"" + plainUsers
                        + ";");
        p.put("sasl.mechanism.inter.broker.protocol", KafkaCredentials.MECHANISM);
        p.put(
                prefix + "scram-sha-256.sasl.jaas.config",
                SCRAM_MODULE + " required username=\"" + broker + "\" password=\"" + password + "\";");
        // SCRAM credentials live in the metadata the controller serves, so the controller listener cannot use SCRAM
        p.put("sasl.mechanism.controller.protocol", "PLAIN");
        p.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        p.put(
                "listener.name.controller.plain.sasl.jaas.config",
                PLAIN_MODULE + " required username=\"" + broker + "\" password=\"" + password + "\" user_" + broker
                        + "=\"" + password + "\";");
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("allow.everyone.if.no.acl.found", "false");
        p.put("super.users", KafkaAccess.superUsers());
        return p;
    }

    /**
     * {@code kafka-storage format} arguments that store every principal's SCRAM credential. The salt is 24 random
     * bytes: librdkafka 2.0 (kcat on Debian 12) decodes a salt whose length is not a multiple of 3 wrongly and then
     * fails to authenticate, and Kafka's own default salt has a varying length.
     */
    static List<String> scramFormatArguments(KafkaCredentials credentials) {
        List<String> args = new ArrayList<>();
        credentials.passwords().forEach((principal, password) -> {
            byte[] salt = new byte[24];
            RANDOM.nextBytes(salt);
            args.add("--add-scram");
            args.add(KafkaCredentials.MECHANISM + "=[name=" + principal + ",salt="
                    + Base64.getEncoder().encodeToString(salt) + ",password=" + password + "]");
        });
        return args;
    }

    /**
     * Makes the broker's access what this version grants, on a new log or one a previous start left (the local stack
     * keeps its data): adds the SCRAM credential of every principal the log lacks, creates {@link
     * KafkaAccess#aclBindings()}, deletes every ACL no longer granted (a grant taken away by an upgrade must not
     * outlive it), and waits until the broker enforces them.
     */
    static void createAcls(Map<String, Object> adminConfig, KafkaCredentials credentials) {
        List<AclBinding> wanted = KafkaAccess.aclBindings();
        try (Admin admin = Admin.create(adminConfig)) {
            addMissingCredentials(admin, credentials);
            admin.createAcls(wanted).all().get(30, TimeUnit.SECONDS);
            List<AclBindingFilter> stale =
                    admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS).stream()
                            .filter(b -> !wanted.contains(b))
                            .map(AclBinding::toFilter)
                            .toList();
            if (!stale.isEmpty()) {
                admin.deleteAcls(stale).all().get(30, TimeUnit.SECONDS);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (admin.describeAcls(AclBindingFilter.ANY)
                            .values()
                            .get(30, TimeUnit.SECONDS)
                            .size()
                    < wanted.size()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the broker did not apply its ACLs within 30 s");
                }
                Thread.sleep(50);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "could not create the Kafka ACLs: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("could not create the Kafka ACLs within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Stores every principal's SCRAM credential again (a fresh 24-byte salt each): a principal an older log lacks gets
     * one, a changed password takes effect, and no answer from a broker still catching up on its log is trusted to say
     * which principals exist. Waits until the broker lists them all.
     */
    private static void addMissingCredentials(Admin admin, KafkaCredentials credentials)
            throws ExecutionException, InterruptedException, TimeoutException {
        List<org.apache.kafka.clients.admin.UserScramCredentialAlteration> all = new ArrayList<>();
        credentials.passwords().forEach((principal, password) -> {
            byte[] salt = new byte[24]; // a multiple of 3 bytes: see scramFormatArguments
            RANDOM.nextBytes(salt);
            all.add(new org.apache.kafka.clients.admin.UserScramCredentialUpsertion(
                    principal,
                    new org.apache.kafka.clients.admin.ScramCredentialInfo(
                            org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_256, 4096),
                    password.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    salt));
        });
        admin.alterUserScramCredentials(all).all().get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!admin.describeUserScramCredentials()
                .users()
                .get(30, TimeUnit.SECONDS)
                .containsAll(credentials.passwords().keySet())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the broker did not list every principal's credential within 30 s");
            }
            Thread.sleep(50);
        }
    }

    private KafkaBrokerSecurity() {}
}
