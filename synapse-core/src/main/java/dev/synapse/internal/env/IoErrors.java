package dev.synapse.internal.env;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * The reason an I/O operation failed, for messages that already name the file: the message of a
 * {@link FileSystemException} is often just the file's path (an {@link AccessDeniedException} has
 * no reason at all), which says nothing about what went wrong.
 */
final class IoErrors {
  private IoErrors() {}

  /** The reason alone, for a message that names the file. */
  static String reason(IOException e) {
    if (e instanceof FileSystemException fileSystem) {
      if (fileSystem.getReason() != null) {
        return fileSystem.getReason();
      }
      if (e instanceof AccessDeniedException) {
        return "permission denied";
      }
      if (e instanceof NoSuchFileException) {
        return "no such file or directory";
      }
      if (e instanceof FileAlreadyExistsException) {
        return "it already exists";
      }
      if (e instanceof NotDirectoryException) {
        return "not a directory";
      }
      if (e instanceof DirectoryNotEmptyException) {
        return "directory not empty";
      }
      return e.getClass().getSimpleName();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** The file the failure is about, if the exception names one, then the reason. */
  static String describe(IOException e) {
    if (e instanceof FileSystemException fileSystem && fileSystem.getFile() != null) {
      return fileSystem.getFile() + ": " + reason(e);
    }
    return reason(e);
  }
}
