package dev.poolwatch.pool;

import java.io.IOException;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Writes the plain-delegation halves of the JDBC wrappers ({@code *Delegate.java} in the pool package) from the
 * java.sql interfaces of the running JDK, so that no JDBC call goes through reflection and none is forgotten. The
 * rules that need judgment live in hand-written classes: {@link JdbcWrapper}, {@link StatementWrapper} and the final
 * {@code Proxy*} classes. {@code GeneratedWrappersAreUpToDateTest} fails when a checked-in file differs.
 *
 * <p>Run from the project root: {@value #COMMAND}
 */
public final class WrapperGenerator {

    /** Java's source launcher: works even when the checked-in files no longer compile. */
    static final String COMMAND = "java src/test/java/dev/poolwatch/pool/WrapperGenerator.java";
    static final Path DIR = Path.of("src/main/java/dev/poolwatch/pool");

    /** One generated class: the interface it delegates, what it extends, and what is written by hand instead. */
    record Family(Class<?> iface, String superclass, Set<String> handWritten, List<String> hooks) {
        String className() {
            return iface.getSimpleName() + "Delegate";
        }
    }

    static final List<Family> FAMILIES = List.of(
            new Family(Statement.class, "StatementWrapper", Set.of("close", "isClosed", "getConnection"), List.of()),
            new Family(PreparedStatement.class, "StatementDelegate", Set.of(), List.of()),
            new Family(CallableStatement.class, "PreparedStatementDelegate", Set.of(), List.of()),
            new Family(ResultSet.class, "JdbcWrapper", Set.of("close", "isClosed", "getStatement"), List.of()),
            new Family(DatabaseMetaData.class, "JdbcWrapper", Set.of("getConnection"),
                    List.of("/** Wraps a result set this metadata made. */", "abstract ProxyResultSet wrap(ResultSet raw);")));

    /** Types whose driver objects must never reach the caller: a method returning one must be written by hand. */
    private static final Set<Class<?>> LEAKS = Set.of(Connection.class, Statement.class, PreparedStatement.class,
            CallableStatement.class, DatabaseMetaData.class);

    private WrapperGenerator() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = args.length > 0 ? Path.of(args[0]) : DIR;
        for (Family f : FAMILIES) {
            Path file = dir.resolve(f.className() + ".java");
            Files.writeString(file, generate(f));
            System.out.println("wrote " + file);
        }
    }

    static Path file(Family f) {
        return DIR.resolve(f.className() + ".java");
    }

    /** The source of the delegate class for one of the java.sql interfaces in {@link #FAMILIES}. */
    static String generate(Class<?> iface) {
        return generate(FAMILIES.stream().filter(f -> f.iface() == iface).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no wrapper family for " + iface.getName())));
    }

    static String generate(Family family) {
        return new Writer(family).write();
    }

    /** Builds one file; collects the imports its signatures need while it writes the methods. */
    private static final class Writer {
        private final Family family;
        private final String self;
        private final Set<String> imports = new TreeSet<>();
        private final Map<String, String> simpleNames = new HashMap<>();
        private final StringBuilder body = new StringBuilder();

        Writer(Family family) {
            this.family = family;
            this.self = family.iface().getSimpleName();
        }

        String write() {
            List<Method> methods = methods();
            simple(family.iface());
            boolean deprecated = false;
            body.append("\n    ").append(family.className()).append("(JdbcOwner owner, ").append(self)
                    .append(" delegate) {\n        super(owner, delegate);\n    }\n");
            for (String hook : family.hooks()) {
                body.append(hook.startsWith("/**") ? "\n    " : "    ").append(hook).append('\n');
            }
            for (Method m : methods) {
                deprecated |= m.isAnnotationPresent(Deprecated.class);
                method(m);
            }
            StringBuilder out = new StringBuilder();
            out.append("// Generated by WrapperGenerator from ").append(family.iface().getName())
                    .append("; do not edit.\n// Regenerate: ").append(COMMAND).append("\npackage dev.poolwatch.pool;\n\n");
            imports.forEach(i -> out.append("import ").append(i).append(";\n"));
            out.append("\n/** Forwards every ").append(self).append(" call to the driver; see WrapperGenerator. */\n");
            if (deprecated) {
                out.append("@SuppressWarnings(\"deprecation\")\n");
            }
            out.append("abstract class ").append(family.className()).append(" extends ").append(family.superclass())
                    .append(" implements ").append(self).append(" {\n").append(body).append("}\n");
            return out.toString();
        }

        /** The interface's own abstract and default methods, minus the hand-written ones, in a stable order. */
        private List<Method> methods() {
            Set<String> unused = new HashSet<>(family.handWritten());
            List<Method> out = new ArrayList<>();
            for (Method m : family.iface().getDeclaredMethods()) {
                if (Modifier.isStatic(m.getModifiers()) || m.isSynthetic()) {
                    continue;
                }
                if (family.handWritten().contains(m.getName())) {
                    unused.remove(m.getName());
                    continue;
                }
                if (LEAKS.contains(m.getReturnType())) {
                    throw new IllegalStateException(family.iface().getName() + "." + m.getName()
                            + " returns a " + m.getReturnType().getSimpleName()
                            + " of the driver: write it by hand and list it in the family's handWritten set");
                }
                out.add(m);
            }
            if (!unused.isEmpty()) {
                throw new IllegalStateException(family.iface().getName() + " declares no " + unused);
            }
            out.sort(Comparator.comparing(Method::getName).thenComparing(m -> Arrays.stream(m.getParameterTypes())
                    .map(Class::getTypeName).collect(Collectors.joining(","))));
            return out;
        }

        private void method(Method m) {
            Type[] params = m.getGenericParameterTypes();
            List<String> args = new ArrayList<>();
            List<String> decls = new ArrayList<>();
            for (int i = 0; i < params.length; i++) {
                args.add("a" + i);
                decls.add(type(params[i]) + " a" + i);
            }
            List<String> thrown = new ArrayList<>();
            boolean sqlException = false;
            for (Class<?> e : m.getExceptionTypes()) {
                thrown.add(simple(e));
                sqlException |= e == SQLException.class;
            }
            boolean returnsVoid = m.getReturnType() == void.class;
            String call = "((" + self + ") delegate)." + m.getName() + "(" + String.join(", ", args) + ")";
            if (m.getReturnType() == ResultSet.class) {
                call = "wrap(" + call + ")";
            }
            String statement = (returnsVoid ? "" : "return ") + call + ";";

            body.append("\n    @Override\n");
            if (m.isAnnotationPresent(Deprecated.class)) {
                body.append("    @Deprecated\n");
            }
            body.append("    public ").append(typeParameters(m)).append(type(m.getGenericReturnType())).append(' ')
                    .append(m.getName()).append('(').append(String.join(", ", decls)).append(')');
            if (!thrown.isEmpty()) {
                body.append(" throws ").append(String.join(", ", thrown));
            }
            body.append(" {\n");
            if (!sqlException) {
                // Such a method cannot report that this wrapper is closed; the JDK's are constants anyway.
                body.append("        ").append(statement).append("\n    }\n");
                return;
            }
            body.append("        checkOpen();\n");
            if (isExecute(m)) {
                body.append("        owner.beforeExecute(")
                        .append(params.length > 0 && params[0] == String.class ? "a0" : "null").append(");\n");
            }
            body.append("        try {\n            ").append(statement)
                    .append("\n        } catch (SQLException e) {\n            throw owner.failed(e);\n        }\n    }\n");
        }

        private static boolean isExecute(Method m) {
            return m.getName().startsWith("execute")
                    || m.getName().equals("addBatch") && m.getParameterCount() == 1
                    && m.getParameterTypes()[0] == String.class;
        }

        private String typeParameters(Method m) {
            TypeVariable<Method>[] vars = m.getTypeParameters();
            if (vars.length == 0) {
                return "";
            }
            List<String> out = new ArrayList<>();
            for (TypeVariable<Method> v : vars) {
                List<String> bounds = Arrays.stream(v.getBounds()).filter(b -> b != Object.class).map(this::type)
                        .collect(Collectors.toList());
                out.add(v.getName() + (bounds.isEmpty() ? "" : " extends " + String.join(" & ", bounds)));
            }
            return "<" + String.join(", ", out) + "> ";
        }

        private String type(Type t) {
            if (t instanceof Class<?> c) {
                return c.isArray() ? type(c.getComponentType()) + "[]" : simple(c);
            }
            if (t instanceof ParameterizedType p) {
                return type(p.getRawType()) + "<" + Arrays.stream(p.getActualTypeArguments()).map(this::type)
                        .collect(Collectors.joining(", ")) + ">";
            }
            if (t instanceof TypeVariable<?> v) {
                return v.getName();
            }
            if (t instanceof WildcardType w) {
                if (w.getLowerBounds().length > 0) {
                    return "? super " + type(w.getLowerBounds()[0]);
                }
                Type upper = w.getUpperBounds()[0];
                return upper == Object.class ? "?" : "? extends " + type(upper);
            }
            if (t instanceof GenericArrayType g) {
                return type(g.getGenericComponentType()) + "[]";
            }
            throw new IllegalStateException("cannot write type " + t);
        }

        /** The simple name of a class, imported unless it is primitive or in java.lang. */
        private String simple(Class<?> c) {
            if (c.isPrimitive()) {
                return c.getName();
            }
            if (c.getEnclosingClass() != null) {
                throw new IllegalStateException("nested type " + c.getName() + " is not supported");
            }
            String clash = simpleNames.putIfAbsent(c.getSimpleName(), c.getName());
            if (clash != null && !clash.equals(c.getName())) {
                throw new IllegalStateException(c.getName() + " clashes with " + clash);
            }
            if (!c.getPackageName().equals("java.lang")) {
                imports.add(c.getName());
            }
            return c.getSimpleName();
        }
    }
}
