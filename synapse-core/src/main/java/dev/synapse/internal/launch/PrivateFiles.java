package dev.synapse.internal.launch;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/**
 * Owner and permission checks for the files Synapse keeps for the current user. On a file system
 * without POSIX permissions (Windows) only the owner is checked; there a directory under the user's
 * profile is private by its access lists.
 */
final class PrivateFiles {
  static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rwx------");
  private static volatile UserPrincipal currentUser;

  private PrivateFiles() {}

  /** The user this JVM runs as: the owner of a file it creates. */
  static UserPrincipal currentUser() throws IOException {
    UserPrincipal user = currentUser;
    if (user == null) {
      Path probe = Files.createTempFile("synapse-owner-", ".probe");
      try {
        user = Files.getOwner(probe, NOFOLLOW);
      } finally {
        Files.deleteIfExists(probe);
      }
      currentUser = user;
    }
    return user;
  }

  /** Attributes that create a directory readable by its owner only. */
  static FileAttribute<?>[] ownerOnly() {
    return POSIX
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
        : new FileAttribute<?>[0];
  }

  /**
   * Why {@code path} is not a private directory of the current user (a real directory, not a link,
   * owned by the user, mode 0700), or null if it is.
   */
  static String notPrivateDirectory(Path path) throws IOException {
    if (!Files.isDirectory(path, NOFOLLOW)) {
      return Files.isSymbolicLink(path) ? "it is a symbolic link" : "it is not a directory";
    }
    String owner = notOwned(path);
    if (owner != null) {
      return owner;
    }
    if (POSIX) {
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path, NOFOLLOW);
      if (!mode.equals(OWNER_ONLY)) {
        return "its mode is " + PosixFilePermissions.toString(mode) + ", not rwx------";
      }
    }
    return null;
  }

  /** Makes a directory of the current user private to them. */
  static void restrictToOwner(Path directory) throws IOException {
    if (POSIX) {
      Files.setPosixFilePermissions(directory, OWNER_ONLY);
    }
  }

  /** Why {@code path} is not the current user's (naming its owner), or null if it is. */
  static String notOwned(Path path) throws IOException {
    UserPrincipal owner = Files.getOwner(path, NOFOLLOW);
    UserPrincipal user = currentUser();
    return owner.equals(user)
        ? null
        : "it belongs to " + owner.getName() + ", not to " + user.getName();
  }
}
