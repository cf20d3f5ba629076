package dev.ebbtide.devsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The local PostgreSQL is durable unless asked to be fast: the settings say so and every single-row commit is there
 * afterwards in both modes. What durability costs is printed as a figure beside the same run's fast mode, never
 * asserted (a timing is not a test).
 */
class EmbeddedPostgresDurabilityTest {
    private static final int COMMITS = 300;

    @Test
    void durableByDefaultFastOnlyWhenAsked() throws Exception {
        long durable = measure(true, "on");
        long fast = measure(false, "off");
        System.out.printf("%d single-row commits: durable %d ms, fast %d ms%n", COMMITS, durable, fast);
    }

    private static long measure(boolean durableMode, String expected) throws Exception {
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(0, null, durableMode);
                Connection c = DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", "postgres", "")) {
            assertEquals(expected, show(c, "fsync"));
            assertEquals(expected, show(c, "synchronous_commit"));
            try (Statement s = c.createStatement()) {
                s.execute("create table t (id serial primary key, v text)");
            }
            long start = System.nanoTime();
            try (PreparedStatement insert = c.prepareStatement("insert into t (v) values (?)")) {
                for (int i = 0; i < COMMITS; i++) {
                    insert.setString(1, "row " + i);
                    insert.executeUpdate(); // autocommit: one commit per row
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("select count(*), count(distinct v) from t")) {
                rs.next();
                assertEquals(COMMITS, rs.getInt(1), "every commit is there");
                assertEquals(COMMITS, rs.getInt(2), "each row once");
            }
            return millis;
        }
    }

    private static String show(Connection c, String setting) throws Exception {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("show " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
