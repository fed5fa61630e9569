import { ComingSoon } from '../../components/common';

export default function Overview() {
  return <ComingSoon area="Integrations" what="Connections to your MIS (such as Wonde): imports, matching and sync." />;
}
