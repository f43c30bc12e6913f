// uids that images and distributions hand out, so other workloads on a node may run with
// them. memlens shares the host's PID namespace, where a process may signal, trace and
// read the environment of any process with its own uid: its uid must be none of these.
export const WELL_KNOWN_UIDS: ReadonlyMap<number, string> = new Map([
  [0, 'root'],
  [1, 'daemon'],
  [2, 'bin'],
  [33, 'www-data (Debian, Ubuntu)'],
  [101, 'nginx (official image)'],
  [472, 'grafana'],
  [999, 'postgres, redis and mysql images'],
  [1000, 'the first user; "node" in the Node.js images'],
  [1001, 'Bitnami images'],
  [10001, 'a common choice in Dockerfiles'],
  [65532, 'nonroot in distroless and Chainguard images'],
  [65534, 'nobody'],
  [65535, 'the 16-bit -1, nfsnobody on old systems'],
])
