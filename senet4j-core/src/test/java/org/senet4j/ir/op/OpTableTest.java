package org.senet4j.ir.op;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.senet4j.ModelException;

/** The table's own contract: a missing op fails the build naming it; entries are unique and reasoned. */
class OpTableTest {

    private static OpTable.Builder<Void, String> allButTanH() {
        OpTable.Builder<Void, String> b = OpTable.builder("test backend");
        for (Class<?> c : Op.class.getPermittedSubclasses()) {
            if (c != TanH.class && c != Sigmoid.class) {
                b.onEach((op, v) -> op.opName(), c.asSubclass(Op.class));
            }
        }
        return b;
    }

    @Test
    void aMissingOpFailsTheBuildNamingIt() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> allButTanH().build());
        assertTrue(e.getMessage().contains("test backend") && e.getMessage().contains("TanH")
                && e.getMessage().contains("Sigmoid"), e.getMessage());
    }

    @Test
    void handlersRunAndUnsupportedOpsGiveTheirReason() throws ModelException {
        OpTable<Void, String> t = allButTanH().on(Sigmoid.class, (op, v) -> "sigmoid!")
                .unsupported(TanH.class, "no tanh here").build();
        assertEquals("sigmoid!", t.handle(new Sigmoid(), null));
        assertEquals("ReLU", t.handle(new ReLU(0f), null));
        ModelException e = assertThrows(ModelException.class, () -> t.handle(new TanH(), null));
        assertTrue(e.getMessage().contains("test backend does not support TanH: no tanh here"), e.getMessage());
        OpTableAssert.coversEveryOp(t, java.util.List.of(TanH.class));
    }

    @Test
    void entriesAreUniqueAndReasoned() {
        OpTable.Builder<Void, String> b = OpTable.builder("b");
        b.on(TanH.class, (op, v) -> "");
        assertThrows(IllegalStateException.class, () -> b.unsupported(TanH.class, "twice"));
        assertThrows(IllegalArgumentException.class, () -> b.unsupported(Sigmoid.class, " "));
    }
}
