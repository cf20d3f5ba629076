package dev.ebbtide.provisioner.actuation;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScaleRequestLedgerTest {

    @Test
    void remembersTheMostRecentIds() {
        ScaleRequestLedger ledger = ScaleRequestLedger.inMemory(2);
        ledger.markApplied("a");
        ledger.markApplied("b");
        assertTrue(ledger.isApplied("a"));
        ledger.markApplied("c");
        assertFalse(ledger.isApplied("a"), "the oldest id is forgotten beyond the capacity");
        assertTrue(ledger.isApplied("b"));
        assertTrue(ledger.isApplied("c"));
    }
}
