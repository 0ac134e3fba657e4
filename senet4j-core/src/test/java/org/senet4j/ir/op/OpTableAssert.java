package org.senet4j.ir.op;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The completeness check every backend's table must pass (used by each module's coverage test). */
public final class OpTableAssert {
    private OpTableAssert() {
    }

    /**
     * Every op of the sealed {@link Op} interface is either handled by {@code table} or declared unsupported with a
     * reason, never both; {@code expectedUnsupported} lists the ones the backend is meant to refuse.
     */
    public static void coversEveryOp(OpTable<?, ?> table, List<Class<? extends Op>> expectedUnsupported) {
        Set<String> missing = new TreeSet<>();
        for (Class<?> c : Op.class.getPermittedSubclasses()) {
            boolean handled = table.handled().contains(c);
            boolean refused = table.unsupported().containsKey(c);
            assertFalse(handled && refused, table.backend() + ": " + c.getSimpleName() + " both handled and refused");
            if (!handled && !refused) {
                missing.add(c.getSimpleName());
            }
            if (refused) {
                assertFalse(table.unsupported().get(c).isBlank(), table.backend() + ": no reason for " + c);
            }
        }
        assertTrue(missing.isEmpty(), table.backend() + " misses " + missing);
        assertEquals(new HashSet<>(expectedUnsupported), table.unsupported().keySet(), table.backend());
        System.out.printf("[op-coverage] %s: %d ops handled, refused: %s%n", table.backend(), table.handled().size(),
                table.unsupported().values());
    }
}
