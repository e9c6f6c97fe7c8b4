import java.io.IOException;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Build step (run by Maven after the jar is shaded, with the JDK's source launcher): rewrites the class files of a
 * jar older than Java 6 (version 50) as Java 8 class files (version 52) with stack maps, instructions unchanged.
 *
 * <p>Why: picocli's jar holds Java 5 class files. The JVM's class-data-sharing archive (which the gguflens launcher
 * keeps next to the jar) cannot store such classes ("Old class has been linked"), so all of picocli's classes were
 * read and verified from the jar on every run, some 60 ms of every start. Upgraded, they come from the archive.
 *
 * <p>Every class it writes passes the JDK's class-file verifier ({@link ClassFile#verify}), or the build fails.
 *
 * <p>Usage: {@code java UpgradeClassFiles.java JAR PREFIX} (entries whose names start with PREFIX, e.g.
 * {@code picocli/}); the jar is replaced only once every class is upgraded and verified.
 */
public final class UpgradeClassFiles {
    private static final int OLDEST_WITH_STACK_MAPS = ClassFile.JAVA_6_VERSION;
    private static final int TARGET = ClassFile.JAVA_8_VERSION;

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java UpgradeClassFiles.java JAR PREFIX");
            System.exit(2);
        }
        Path jar = Path.of(args[0]);
        String prefix = args[1];
        Path out = jar.resolveSibling(jar.getFileName() + ".upgrading");
        // The classes a stack map's types are merged from: the JDK's own and those of the jar itself.
        try (URLClassLoader classes = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
             ZipFile in = new ZipFile(jar.toFile());
             OutputStream file = Files.newOutputStream(out);
             ZipOutputStream zip = new ZipOutputStream(file)) {
            ClassFile cf = ClassFile.of(ClassFile.StackMapsOption.GENERATE_STACK_MAPS, ClassFile.ClassHierarchyResolverOption.of(
                    ClassHierarchyResolver.defaultResolver().orElse(ClassHierarchyResolver.ofResourceParsing(classes))));
            for (Enumeration<? extends ZipEntry> e = in.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                byte[] bytes = in.getInputStream(entry).readAllBytes();
                if (entry.getName().startsWith(prefix) && entry.getName().endsWith(".class")) {
                    bytes = upgrade(cf, entry.getName(), bytes);
                }
                ZipEntry copy = new ZipEntry(entry.getName());
                copy.setTime(entry.getTime());
                zip.putNextEntry(copy);
                zip.write(bytes);
                zip.closeEntry();
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(out);
            throw e;
        }
        Files.move(out, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The class, as version {@link #TARGET} with stack maps when it is older than version 50; else as it is. */
    private static byte[] upgrade(ClassFile cf, String name, byte[] bytes) {
        ClassModel model = cf.parse(bytes);
        if (model.majorVersion() >= OLDEST_WITH_STACK_MAPS) {
            return bytes;
        }
        // Rebuilding every method body (ACCEPT_ALL) makes the writer compute its stack maps.
        byte[] upgraded = cf.transformClass(model, ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
                .andThen(ClassTransform.endHandler(b -> b.withVersion(TARGET, 0))));
        List<VerifyError> errors = cf.verify(upgraded);
        if (!errors.isEmpty()) {
            throw new IllegalStateException(name + " does not verify once upgraded: " + errors.getFirst().getMessage());
        }
        return upgraded;
    }
}
