package org.senet4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void writesTheProjectsFormat() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a\"b\\c\nd\te\u0001/é😀");
        m.put("i", 42);
        m.put("l", -9_007_199_254_740_993L);
        m.put("d", 1.0);
        m.put("big", 1e15);
        m.put("f", 0.1f);
        m.put("g", 0.1);
        m.put("nan", Double.NaN);
        m.put("b", true);
        m.put("n", null);
        m.put("ints", new int[] {1, -2});
        m.put("longs", new long[] {3L});
        m.put("list", List.of(List.of(), Map.of()));
        assertEquals("{\"s\":\"a\\\"b\\\\c\\nd\\te\\u0001/é😀\",\"i\":42,\"l\":-9007199254740993,\"d\":1.0,"
                + "\"big\":1.0E15,\"f\":0.1,\"g\":0.1,\"nan\":null,\"b\":true,\"n\":null,\"ints\":[1,-2],"
                + "\"longs\":[3],\"list\":[[],{}]}", Json.write(m));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
    }

    @Test
    void readsBackWhatItWrites() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("z", "x\u0000y\u2028");
        m.put("a", List.of(1L, -2.5, 1e-30, Long.MIN_VALUE, Long.MAX_VALUE));
        m.put("t", false);
        m.put("n", null);
        Object back = Json.parse(Json.write(m));
        assertEquals(m, back);
        assertEquals(List.copyOf(m.keySet()), List.copyOf(((Map<?, ?>) back).keySet()), "insertion order kept");
        assertEquals(Double.class, ((List<?>) Json.parse("[1.0]")).get(0).getClass());
        assertEquals(Long.class, ((List<?>) Json.parse("[1]")).get(0).getClass());
        assertEquals(Double.POSITIVE_INFINITY, ((List<?>) Json.parse("[1e999]")).get(0));
        assertEquals("\ud83d\ude00", Json.parse("\"\\ud83d\\ude00\""));
        assertEquals(List.of(), Json.parse(" \t\r\n[ ] "));
    }

    @Test
    void refusesWhatIsNotJsonWithTheOffset() {
        refuses("{\"a\":1,\"a\":2}", "duplicate key \"a\"");
        refuses("{\"a\":\"never closed", "unterminated string");
        refuses("{\"a\":\"x\ny\"}", "control character");
        refuses("[1] [2]", "at character 4", "unexpected text after the JSON value");
        refuses("[99999999999999999999999]", "bad number 99999999999999999999999");
        refuses("", "unexpected end");
        refuses("{\"a\":", "unexpected end");
        refuses("[tru]", "invalid JSON at character");
        refuses("[NaN]", "invalid JSON at character");
        refuses("{a:1}", "invalid JSON at character 1");
        refuses("[1,]", "invalid JSON");
        refuses("\"\\u12\"", "invalid JSON");
        refuses("[" + "9".repeat(Json.MAX_NUMBER_CHARS + 1) + ".5]", "invalid JSON", "Number value length");
    }

    @Test
    void nestingIsBounded() {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        Object v = Json.parse(ok);
        for (int i = 1; i < Json.MAX_DEPTH; i++) {
            v = ((List<?>) v).get(0);
        }
        assertEquals(List.of(), v);
        refuses("[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1), "nested too deeply");
        refuses("{\"a\":".repeat(1_000_000) + "1" + "}".repeat(1_000_000), "nested too deeply");
    }

    private static void refuses(String text, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(text), text);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "\"" + p + "\" missing from: " + e.getMessage());
        }
        assertTrue(e.getMessage().lines().count() == 1, "one line: " + Arrays.toString(e.getMessage().lines()
                .toArray()));
    }
}
