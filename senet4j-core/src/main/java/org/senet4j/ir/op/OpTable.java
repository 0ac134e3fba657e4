package org.senet4j.ir.op;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.senet4j.ModelException;

/**
 * One backend's handlers, keyed by op class. Building the table checks that every op of the sealed {@link Op}
 * interface is either handled or declared unsupported with a reason, so that no backend can silently miss an op: a new
 * op fails every backend's table until each one decides.
 *
 * @param <C> what a handler is given besides the op (the backend's context for one node)
 * @param <R> what a handler returns
 */
public final class OpTable<C, R> {

    /** Handles one kind of op. */
    @FunctionalInterface
    public interface Handler<T extends Op, C, R> {
        R handle(T op, C context) throws ModelException;
    }

    private final String backend;
    private final Map<Class<? extends Op>, Handler<? extends Op, C, R>> handlers;
    private final Map<Class<? extends Op>, String> unsupported;

    private OpTable(String backend, Map<Class<? extends Op>, Handler<? extends Op, C, R>> handlers,
                    Map<Class<? extends Op>, String> unsupported) {
        this.backend = backend;
        this.handlers = Collections.unmodifiableMap(handlers);
        this.unsupported = Collections.unmodifiableMap(unsupported);
    }

    /** @param backend how messages name the backend, e.g. {@code ONNX export} */
    public static <C, R> Builder<C, R> builder(String backend) {
        return new Builder<>(backend);
    }

    public String backend() {
        return backend;
    }

    /** The op classes this backend handles. */
    public java.util.Set<Class<? extends Op>> handled() {
        return handlers.keySet();
    }

    /** The op classes this backend declares unsupported, with the reason for each. */
    public Map<Class<? extends Op>, String> unsupported() {
        return unsupported;
    }

    /**
     * Runs the handler of {@code op}.
     *
     * @throws ModelException from the handler, or when this backend declares the op unsupported (the message gives
     *     the reason; callers add the layer)
     */
    @SuppressWarnings("unchecked")
    public R handle(Op op, C context) throws ModelException {
        Handler<Op, C, R> h = (Handler<Op, C, R>) handlers.get(op.getClass());
        if (h == null) {
            throw new ModelException(backend + " does not support " + op.opName() + ": " + unsupported.get(op.getClass()));
        }
        return h.handle(op, context);
    }

    /** Collects the entries; {@link #build} checks that they cover every op. */
    public static final class Builder<C, R> {
        private final String backend;
        private final Map<Class<? extends Op>, Handler<? extends Op, C, R>> handlers = new LinkedHashMap<>();
        private final Map<Class<? extends Op>, String> unsupported = new LinkedHashMap<>();

        private Builder(String backend) {
            this.backend = backend;
        }

        public <T extends Op> Builder<C, R> on(Class<T> type, Handler<? super T, C, R> handler) {
            claim(type);
            handlers.put(type, handler);
            return this;
        }

        /** One handler for several op classes. */
        @SafeVarargs
        public final Builder<C, R> onEach(Handler<Op, C, R> handler, Class<? extends Op>... types) {
            for (Class<? extends Op> t : types) {
                claim(t);
                handlers.put(t, handler);
            }
            return this;
        }

        public Builder<C, R> unsupported(Class<? extends Op> type, String reason) {
            if (reason == null || reason.isBlank()) {
                throw new IllegalArgumentException(backend + ": " + type.getSimpleName() + " needs a reason");
            }
            claim(type);
            unsupported.put(type, reason);
            return this;
        }

        private void claim(Class<? extends Op> type) {
            if (handlers.containsKey(type) || unsupported.containsKey(type)) {
                throw new IllegalStateException(backend + ": " + type.getSimpleName() + " is listed twice");
            }
        }

        /** @throws IllegalStateException naming every op that is neither handled nor declared unsupported */
        public OpTable<C, R> build() {
            List<String> missing = new ArrayList<>();
            for (Class<?> c : Op.class.getPermittedSubclasses()) {
                if (!handlers.containsKey(c) && !unsupported.containsKey(c)) {
                    missing.add(c.getSimpleName());
                }
            }
            if (!missing.isEmpty()) {
                throw new IllegalStateException(backend + " neither handles nor declares unsupported: " + missing);
            }
            return new OpTable<>(backend, new LinkedHashMap<>(handlers), new LinkedHashMap<>(unsupported));
        }
    }
}
