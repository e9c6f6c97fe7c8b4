# Sourced by ./build and ./gguflens: sets JAVA_HOME to a JDK 25 or newer, or exits with a message.
# Order: $JAVA_HOME if it is 25+, then the usual install locations.
# The JDK's own "release" file names its version; reading it costs nothing, unlike starting a JVM.
jdk_major() {
  local v=""
  [ -f "$1/release" ] && v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release")
  [ -n "$v" ] || v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  echo "$v"
}
find_jdk() {
  local c
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    local v; v=$(jdk_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then echo "$JAVA_HOME"; return 0; fi
  fi
  for c in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25* /usr/lib/jvm/*25* /opt/java/*25* /Library/Java/JavaVirtualMachines/*25*/Contents/Home; do
    if [ -x "$c/bin/java" ]; then
      local v; v=$(jdk_major "$c")
      if [ -n "$v" ] && [ "$v" -ge 25 ]; then echo "$c"; return 0; fi
    fi
  done
  return 1
}
if ! JAVA_HOME=$(find_jdk); then
  echo "gguflens needs JDK 25 or newer: install one (e.g. Eclipse Temurin 25) or set JAVA_HOME to it" >&2
  exit 1
fi
