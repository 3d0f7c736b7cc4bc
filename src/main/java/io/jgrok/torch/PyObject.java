package io.jgrok.torch;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An instance of a Python class that jgrok reads without having the class (TransformerLens's
 * HookedTransformerConfig): its qualified class name and the attributes its pickle set, in order.
 */
public final class PyObject {
    private final String className;
    private final Map<String, Object> fields = new LinkedHashMap<>();

    PyObject(String className) {
        this.className = className;
    }

    /** Module and class, e.g. {@code transformer_lens.HookedTransformerConfig.HookedTransformerConfig}. */
    public String className() {
        return className;
    }

    public Map<String, Object> fields() {
        return Collections.unmodifiableMap(fields);
    }

    void setFields(Map<?, ?> state) {
        for (Map.Entry<?, ?> e : state.entrySet()) {
            fields.put(String.valueOf(e.getKey()), e.getValue());
        }
    }

    @Override
    public String toString() {
        return className + fields;
    }
}
