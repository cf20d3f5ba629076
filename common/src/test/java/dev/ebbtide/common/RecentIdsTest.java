package dev.ebbtide.common;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.ids.RecentIds;
import org.junit.jupiter.api.Test;

class RecentIdsTest {
    @Test
    void remembersTheLastNIdsAndForgetsTheOldest() {
        RecentIds ids = new RecentIds(2);
        assertTrue(ids.add("a"));
        assertFalse(ids.add("a"), "a redelivery");
        assertTrue(ids.add("b"));
        assertTrue(ids.add("c"));
        assertTrue(ids.add("a"), "a was the oldest and is forgotten");
        assertFalse(ids.add("c"));
    }
}
