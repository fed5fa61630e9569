import { ComingSoon } from '../../components/common';

export default function Overview() {
  return <ComingSoon area="Sign-in" what="Visitor, staff and pupil sign-in: sites, kiosks, groups and who is on site." />;
}
