import { ComingSoon } from '../../components/common';

export default function Overview() {
  return <ComingSoon area="Central Record" what="The Single Central Record: people, their checks and compliance." />;
}
