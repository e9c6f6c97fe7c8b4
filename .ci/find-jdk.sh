# Sourced by ./build and ./gguflens: sets JAVA_HOME to a JDK 25 or newer, or exits with a message.
# Order: $JAVA_HOME if it is 25+, then the usual install locations.
# The JDK's own "release" file names its version. It is read with bash builtins only: every command run
# here (a subshell, sed) costs a few milliseconds, and the launcher runs this before every command.

# Sets jdk_major_version to the major version of the JDK at $1, or to "" when it cannot tell.
jdk_major() {
  jdk_major_version=""
  local line
  if [ -f "$1/release" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      if [[ $line =~ ^JAVA_VERSION=\"([0-9]+) ]]; then
        jdk_major_version=${BASH_REMATCH[1]}
        break
      fi
    done < "$1/release"
  fi
  if [ -z "$jdk_major_version" ] && [ -x "$1/bin/java" ]; then
    # no release file: ask the JVM itself (slow, but only for unusual installs)
    jdk_major_version=$("$1/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  fi
}

# Sets found_jdk to the first JDK 25+ found; returns 1 when there is none.
find_jdk() {
  local c
  found_jdk=""
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25* /usr/lib/jvm/*25* /opt/java/*25* \
      /Library/Java/JavaVirtualMachines/*25*/Contents/Home; do
    if [ -n "$c" ] && [ -x "$c/bin/java" ]; then
      jdk_major "$c"
      if [ -n "$jdk_major_version" ] && [ "$jdk_major_version" -ge 25 ]; then
        found_jdk=$c
        return 0
      fi
    fi
  done
  return 1
}

if ! find_jdk; then
  echo "gguflens needs JDK 25 or newer: install one (e.g. Eclipse Temurin 25) or set JAVA_HOME to it" >&2
  exit 1
fi
JAVA_HOME=$found_jdk
