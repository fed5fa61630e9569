import { ComingSoon } from '../../components/common';

export default function Overview() {
  return <ComingSoon area="SCIM" what="Provisioning of staff accounts from your identity provider (Entra ID, Okta, Google) over SCIM 2.0." />;
}
