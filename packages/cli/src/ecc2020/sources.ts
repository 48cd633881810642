/**
 * What the two press releases (see docs/ecc2020/ECC2020-FACTS.md) say, as input data for the history. Nothing here
 * is printed by the report: the report reads the read models built from the events these facts become.
 */
export const ECC2020 = {
  conferenceId: 'ecc2020',
  name: 'European Cluster Conference 2020',
  days: ['2020-11-10', '2020-11-11'],
  organisers: [
    'European Commission, DG Internal Market, Industry, Entrepreneurship and SMEs (DG GROW)',
    'German Federal Ministry for Economic Affairs and Energy (BMWi)',
  ],
  theme: 'Strengthening clusters to make Europe greener, more digital and more resilient',
  openers: [
    { name: 'Thierry Breton', role: 'EU Commissioner for the Internal Market' },
    { name: 'Peter Altmaier', role: 'German Federal Minister for Economic Affairs and Energy' },
  ],
  /** Ran the conference; the sources name no person for the sessions after the opening, so the platform opens them. */
  host: { name: 'European Cluster Collaboration Platform', role: 'conference host; the sources name no session chair' },
  attendees: 1000,
  countries: 52,
  managerOfTheYear: {
    awardId: 'european-cluster-manager-of-the-year',
    title: 'European Cluster Manager of the Year',
    edition: 2020,
    winner: { candidateId: 'uwe-pfeil', name: 'Uwe Pfeil', affiliation: 'E-Mobilität Regensburg and IT-Logistikcluster' },
  },
  partnershipOfTheYear: {
    awardId: 'european-cluster-partnership-of-the-year',
    title: 'European Cluster Partnership of the Year',
    edition: 2020,
    recipient: 'IoT4Industry',
    affiliation: 'EU project',
  },
  specialPrize: {
    awardId: 'special-prize-eu-cluster-mobilisation',
    title: 'Special prize for EU cluster mobilisation',
    edition: 2020,
    recipient: 'Antonio Novo Guerrero',
    affiliation: 'President of the European Cluster Alliance; cluster manager of IDiA (Spain)',
  },
  alliance: {
    allianceId: 'european-cluster-alliance',
    name: 'European Cluster Alliance',
    joining: { nation: 'DE', programme: 'go-cluster', memberNumber: 14 },
  },
} as const;
