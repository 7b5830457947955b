package scenarios

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFileAtomic writes data to path so that path holds either its old
// content or all of data, never a part: it writes a new file beside path
// and renames it over path. A write that fails midway (a full disk, a
// signal) leaves the old file as it was and no temporary file behind.
//
// The temporary file is created exclusively (O_EXCL), so a symlink planted
// under its name is never followed. path itself must be a regular file or
// not exist: a symlink or a device at path is refused rather than
// replaced or followed, since the user did not ask to overwrite what it
// points to. perm applies to a new file; an existing file keeps its mode.
//
// Every file scansim writes for the user (fmt -w, trace -o, --junit,
// check's failure scripts) goes through here.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	return WriteFileAtomicFunc(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFileAtomicFunc is WriteFileAtomic for content that write produces
// piece by piece (a recording streamed from a spool file), so that it
// need not be held in memory whole.
func WriteFileAtomicFunc(path string, perm fs.FileMode, write func(io.Writer) error) error {
	if info, err := os.Lstat(path); err == nil {
		if err := replaceable(path, info); err != nil {
			return err
		}
		perm = info.Mode().Perm()
	} else if !os.IsNotExist(err) {
		return err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if err := write(tmp); err != nil {
		return fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	ok = true
	return nil
}

// unwrapPath drops the operation and temporary name of an *fs.PathError:
// the user knows path, not the temporary file.
func unwrapPath(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	if le, ok := err.(*os.LinkError); ok {
		return le.Err
	}
	return err
}

// CheckWritable reports whether WriteFileAtomic(path, …) can be expected
// to succeed: path's directory exists and is a directory, and path is a
// regular file or does not exist. Commands call it before a long run
// whose report goes to path.
func CheckWritable(path string) error {
	dir := filepath.Dir(path)
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("%s: directory %s: %w", path, dir, unwrapPath(err))
	}
	if !info.IsDir() {
		return fmt.Errorf("%s: %s is not a directory", path, dir)
	}
	if info, err := os.Lstat(path); err == nil {
		return replaceable(path, info)
	}
	return nil
}

// replaceable refuses to replace what exists at path (info: its Lstat)
// unless it is a regular file: a symbolic link, a directory or a device
// is never overwritten.
func replaceable(path string, info fs.FileInfo) error {
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s: is a symbolic link; not overwritten (write to the file it points to)", path)
	case info.IsDir():
		return fmt.Errorf("%s: is a directory", path)
	case !info.Mode().IsRegular():
		return fmt.Errorf("%s: not a regular file; not overwritten", path)
	}
	return nil
}
